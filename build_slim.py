"""Slimming the Linux bundle's OpenCV (used by build_installer.py; Linux x86_64, needs a C compiler).

The ``opencv-python-headless`` wheel links its ``cv2`` module at load time to libraries the app
never calls into, so they cannot simply be left out (the import would fail):

* FFmpeg (libavcodec/avformat/avutil/swscale, with libaom, libvpx, OpenSSL... behind them) for
  ``cv2.VideoCapture``/``VideoWriter``, and libavif for ``cv2.imread`` of AVIF files. The app
  uses neither video I/O nor OpenCV's image codecs (pictures are read and written with Pillow;
  ``scan/`` calls only core and imgproc functions). Each such library is replaced by a *stub*
  with the same name that defines exactly the functions ``cv2`` imports from it; a stub that is
  ever called prints which function and aborts, so a future use fails loudly instead of
  silently (the bundle's ``--self-test`` runs the page pipeline on real pictures).
* OpenBLAS (39 MB, with its own libgfortran): OpenCV's LAPACK/BLAS back end. numpy already
  carries an OpenBLAS (``libscipy_openblas64_``, 64-bit integers, prefixed names), so the 19
  functions ``cv2`` imports are given by a small *shim* that converts the 32-bit integer
  arguments and calls numpy's copy: same results, one OpenBLAS instead of two.

Every replaced function is checked against what ``cv2`` imports, so a new OpenCV that imports a
function the shim does not provide stops the build instead of failing at a village.
Standard library only, plus ``nm`` (binutils) and ``cc``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Libraries of the opencv wheel the app does not use, by name prefix (video I/O, AVIF codec).
CV2_STUBBED = ("libavcodec-", "libavformat-", "libavutil-", "libswscale-", "libavif-")

# LAPACK/BLAS functions cv2 imports from its OpenBLAS, implemented by the shim below.
SHIM_FUNCTIONS = frozenset(
    "cblas_sgemm cblas_dgemm cblas_cgemm cblas_zgemm sgesv_ dgesv_ sgetrf_ dgetrf_ spotrf_ dpotrf_ "
    "sposv_ dposv_ sgels_ dgels_ sgeqrf_ dgeqrf_ sgesdd_ dgesdd_ dgeev_".split()
)

_SHIM_C = r"""
/* cv2's OpenBLAS interface (32-bit integers) on numpy's OpenBLAS (64-bit integers, scipy_
   prefix). Made by build_slim.py. Integer arrays (pivots, workspace) are converted. */
#include <stdint.h>
#include <stdlib.h>
#include <stddef.h>
typedef int64_t L;
#define I(x) ((L)(x))

void scipy_cblas_sgemm64_(int, int, int, L, L, L, float, const float *, L, const float *, L,
                          float, float *, L);
void scipy_cblas_dgemm64_(int, int, int, L, L, L, double, const double *, L, const double *, L,
                          double, double *, L);
void scipy_cblas_cgemm64_(int, int, int, L, L, L, const void *, const void *, L, const void *, L,
                          const void *, void *, L);
void scipy_cblas_zgemm64_(int, int, int, L, L, L, const void *, const void *, L, const void *, L,
                          const void *, void *, L);

void cblas_sgemm(int o, int ta, int tb, int m, int n, int k, float al, const float *a, int lda,
                 const float *b, int ldb, float be, float *c, int ldc)
{ scipy_cblas_sgemm64_(o, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc); }
void cblas_dgemm(int o, int ta, int tb, int m, int n, int k, double al, const double *a, int lda,
                 const double *b, int ldb, double be, double *c, int ldc)
{ scipy_cblas_dgemm64_(o, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc); }
void cblas_cgemm(int o, int ta, int tb, int m, int n, int k, const void *al, const void *a, int lda,
                 const void *b, int ldb, const void *be, void *c, int ldc)
{ scipy_cblas_cgemm64_(o, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc); }
void cblas_zgemm(int o, int ta, int tb, int m, int n, int k, const void *al, const void *a, int lda,
                 const void *b, int ldb, const void *be, void *c, int ldc)
{ scipy_cblas_zgemm64_(o, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc); }

/* Fortran LAPACK: every argument by reference; a CHARACTER argument has a hidden length. */
#define GESV(T, p) \
void scipy_##p##gesv_64_(L *, L *, T *, L *, L *, T *, L *, L *); \
void p##gesv_(int *n, int *nrhs, T *a, int *lda, int *ipiv, T *b, int *ldb, int *info) { \
    L n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, info_ = 0; \
    L *piv = malloc(sizeof(L) * (size_t)(n_ > 0 ? n_ : 1)); \
    if (!piv) { *info = -1000; return; } \
    scipy_##p##gesv_64_(&n_, &nrhs_, a, &lda_, piv, b, &ldb_, &info_); \
    for (L i = 0; i < n_; i++) ipiv[i] = (int)piv[i]; \
    free(piv); *info = (int)info_; }
GESV(float, s)
GESV(double, d)

#define GETRF(T, p) \
void scipy_##p##getrf_64_(L *, L *, T *, L *, L *, L *); \
void p##getrf_(int *m, int *n, T *a, int *lda, int *ipiv, int *info) { \
    L m_ = *m, n_ = *n, lda_ = *lda, info_ = 0, k = m_ < n_ ? m_ : n_; \
    L *piv = malloc(sizeof(L) * (size_t)(k > 0 ? k : 1)); \
    if (!piv) { *info = -1000; return; } \
    scipy_##p##getrf_64_(&m_, &n_, a, &lda_, piv, &info_); \
    for (L i = 0; i < k; i++) ipiv[i] = (int)piv[i]; \
    free(piv); *info = (int)info_; }
GETRF(float, s)
GETRF(double, d)

#define POTRF(T, p) \
void scipy_##p##potrf_64_(const char *, L *, T *, L *, L *, size_t); \
void p##potrf_(const char *uplo, int *n, T *a, int *lda, int *info) { \
    L n_ = *n, lda_ = *lda, info_ = 0; \
    scipy_##p##potrf_64_(uplo, &n_, a, &lda_, &info_, 1); *info = (int)info_; }
POTRF(float, s)
POTRF(double, d)

#define POSV(T, p) \
void scipy_##p##posv_64_(const char *, L *, L *, T *, L *, T *, L *, L *, size_t); \
void p##posv_(const char *uplo, int *n, int *nrhs, T *a, int *lda, T *b, int *ldb, int *info) { \
    L n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, info_ = 0; \
    scipy_##p##posv_64_(uplo, &n_, &nrhs_, a, &lda_, b, &ldb_, &info_, 1); *info = (int)info_; }
POSV(float, s)
POSV(double, d)

#define GELS(T, p) \
void scipy_##p##gels_64_(const char *, L *, L *, L *, T *, L *, T *, L *, T *, L *, L *, size_t); \
void p##gels_(const char *tr, int *m, int *n, int *nrhs, T *a, int *lda, T *b, int *ldb, T *work, \
              int *lwork, int *info) { \
    L m_ = *m, n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, lwork_ = *lwork, info_ = 0; \
    scipy_##p##gels_64_(tr, &m_, &n_, &nrhs_, a, &lda_, b, &ldb_, work, &lwork_, &info_, 1); \
    *info = (int)info_; }
GELS(float, s)
GELS(double, d)

#define GEQRF(T, p) \
void scipy_##p##geqrf_64_(L *, L *, T *, L *, T *, T *, L *, L *); \
void p##geqrf_(int *m, int *n, T *a, int *lda, T *tau, T *work, int *lwork, int *info) { \
    L m_ = *m, n_ = *n, lda_ = *lda, lwork_ = *lwork, info_ = 0; \
    scipy_##p##geqrf_64_(&m_, &n_, a, &lda_, tau, work, &lwork_, &info_); *info = (int)info_; }
GEQRF(float, s)
GEQRF(double, d)

/* iwork: 8*min(m,n) integers of workspace, never read back by the caller. */
#define GESDD(T, p) \
void scipy_##p##gesdd_64_(const char *, L *, L *, T *, L *, T *, T *, L *, T *, L *, T *, L *, \
                          L *, L *, size_t); \
void p##gesdd_(const char *jobz, int *m, int *n, T *a, int *lda, T *s, T *u, int *ldu, T *vt, \
               int *ldvt, T *work, int *lwork, int *iwork, int *info) { \
    L m_ = *m, n_ = *n, lda_ = *lda, ldu_ = *ldu, ldvt_ = *ldvt, lwork_ = *lwork, info_ = 0; \
    L k = 8 * (m_ < n_ ? m_ : n_); \
    L *iw = malloc(sizeof(L) * (size_t)(k > 0 ? k : 1)); \
    (void)iwork; \
    if (!iw) { *info = -1000; return; } \
    scipy_##p##gesdd_64_(jobz, &m_, &n_, a, &lda_, s, u, &ldu_, vt, &ldvt_, work, &lwork_, iw, \
                         &info_, 1); \
    free(iw); *info = (int)info_; }
GESDD(float, s)
GESDD(double, d)

void scipy_dgeev_64_(const char *, const char *, L *, double *, L *, double *, double *, double *,
                     L *, double *, L *, double *, L *, L *, size_t, size_t);
void dgeev_(const char *jl, const char *jr, int *n, double *a, int *lda, double *wr, double *wi,
            double *vl, int *ldvl, double *vr, int *ldvr, double *work, int *lwork, int *info)
{
    L n_ = *n, lda_ = *lda, ldvl_ = *ldvl, ldvr_ = *ldvr, lwork_ = *lwork, info_ = 0;
    scipy_dgeev_64_(jl, jr, &n_, a, &lda_, wr, wi, vl, &ldvl_, vr, &ldvr_, work, &lwork_, &info_,
                    1, 1);
    *info = (int)info_;
}
"""


@dataclass
class SlimReport:
    stubbed: list[str] = field(default_factory=list)  # library file names replaced by stubs
    shimmed: str | None = None  # the OpenBLAS replaced by the shim
    skipped: str | None = None  # why nothing was done (no compiler, layout not recognised)
    bytes_before: int = 0
    bytes_after: int = 0
    removed: list[str] = field(default_factory=list)  # library file names deleted


def _nm(path: Path, *flags: str) -> list[tuple[str, str, str]]:
    """(type, name, version) of the dynamic symbols ``nm -D`` lists with these flags."""
    out = subprocess.run(["nm", "-D", *flags, str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, sym = parts[-2], parts[-1]
        name, _, version = sym.partition("@")
        rows.append((kind, name, version.lstrip("@")))
    return rows


def _cc() -> str | None:
    return shutil.which("cc") or shutil.which("gcc")


def _compile(cc: str, source: str, out: Path, soname: str, extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "lib.c"
        src.write_text(source, encoding="utf-8")
        cmd = [cc, "-shared", "-fPIC", "-O2", "-o", str(out), f"-Wl,-soname,{soname}", str(src), *extra]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"build_slim: {' '.join(cmd)} failed:\n{proc.stderr}")


def stub_source(
    lib_name: str,
    functions: dict[str, str],
    data: dict[str, tuple[str, int]] | None = None,
    why: str = "OpenCV video and image codecs were left out",
) -> tuple[str, str]:
    """C source and linker version script of a stub that defines ``functions`` (name -> version
    node, "" for none); each one reports its name and ``why``, and aborts when called. ``data``
    (name -> (version node, size)): objects of that size, all zero, for data symbols that are
    only ever compared by address (see slim_qt_quick)."""
    data = data or {}
    lines = [
        f"/* Stub of {lib_name} made by build_slim.py: the app never calls these. */",
        "#include <stdio.h>",
        "#include <stdlib.h>",
        "__attribute__((unused)) static void missing(const char *name) {",
        f'    fprintf(stderr, "desa_capil: %s (%s) is not in this bundle: {why}\\n", name, "{lib_name}");',
        "    abort();",
        "}",
    ]
    for name in sorted({*functions, *data}):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"unexpected symbol name {name!r} in {lib_name}")
    for name in sorted(functions):
        lines.append(f'void {name}(void) {{ missing("{name}"); }}')
    for name, (_version, size) in sorted(data.items()):
        lines.append(f"__attribute__((aligned(16))) const unsigned char {name}[{max(size, 1)}] = {{0}};")
    nodes: dict[str, list[str]] = {}
    for name, version in [*functions.items(), *((n, v) for n, (v, _s) in data.items())]:
        nodes.setdefault(version, []).append(name)
    script = []
    for i, (version, names) in enumerate(sorted(nodes.items())):
        body = " ".join(f"{n};" for n in sorted(names))
        local = " local: *;" if i == 0 else ""
        script.append(f"{version or 'STUB'} {{ global: {body}{local} }};")
    return "\n".join(lines) + "\n", "\n".join(script) + "\n"


def slim_opencv(base: Path) -> SlimReport:
    """Replace the unused libraries of cv2 in the collected bundle (``base``: ``_internal``)."""
    report = SlimReport()
    cv2_so = next((base / "cv2").glob("cv2*.so"), None)
    libs = base / "opencv_python_headless.libs"
    numpy_libs = base / "numpy.libs"
    cc = _cc()
    if cv2_so is None or not libs.is_dir():
        report.skipped = "no cv2 / opencv_python_headless.libs in the bundle"
        return report
    if cc is None or shutil.which("nm") is None:
        report.skipped = "no C compiler or nm (binutils): OpenCV's libraries kept whole"
        return report
    wanted: dict[str, str] = {}  # what cv2 imports: name -> version node
    for kind, name, version in _nm(cv2_so, "--undefined-only"):
        if kind in ("U", "w"):
            wanted[name] = version
    for lib in sorted(libs.iterdir()):
        if not lib.name.startswith(CV2_STUBBED) or lib.is_symlink():
            continue
        defined = {name: kind for kind, name, _v in _nm(lib, "--defined-only")}
        used = {n: v for n, v in wanted.items() if n in defined}
        if not used:
            continue  # cv2 does not link it directly; pruned later if nothing else does
        data = [n for n in used if defined[n] not in ("T", "W", "i")]
        if data:
            raise SystemExit(f"build_slim: cv2 imports data symbols from {lib.name}: {data}")
        report.bytes_before += lib.stat().st_size
        source, script = stub_source(lib.name, used)
        with tempfile.TemporaryDirectory() as tmp:
            vs = Path(tmp) / "version.map"
            vs.write_text(script, encoding="utf-8")
            out = Path(tmp) / lib.name
            _compile(cc, source, out, lib.name, [f"-Wl,--version-script={vs}"])
            shutil.move(str(out), lib)
        report.bytes_after += lib.stat().st_size
        report.stubbed.append(lib.name)
    blas = next(iter(sorted(libs.glob("libopenblas*.so*"))), None)
    numpy_blas = (
        next(iter(sorted(numpy_libs.glob("libscipy_openblas64_*.so")))) if numpy_libs.is_dir() else None
    )
    if blas is not None and numpy_blas is not None:
        defined = {name for _k, name, _v in _nm(blas, "--defined-only")}
        used = {n for n in wanted if n in defined}
        if not used <= SHIM_FUNCTIONS:
            raise SystemExit(
                f"build_slim: cv2 needs OpenBLAS functions the shim lacks: {sorted(used - SHIM_FUNCTIONS)}"
            )
        provided = {name for _k, name, _v in _nm(numpy_blas, "--defined-only")}
        targets = set(re.findall(r"scipy_\w+?64_", _SHIM_C))
        if not targets <= provided:
            raise SystemExit(f"build_slim: numpy's OpenBLAS lacks {sorted(targets - provided)}")
        report.bytes_before += blas.stat().st_size
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / blas.name
            rel = f"$ORIGIN/../{numpy_libs.name}"
            extra = [str(numpy_blas), f"-Wl,-rpath,{rel}", "-Wl,--disable-new-dtags"]
            _compile(cc, _SHIM_C, out, blas.name, extra)
            shutil.move(str(out), blas)
        report.bytes_after += blas.stat().st_size
        report.shimmed = blas.name
    return report


# --- Qt Quick / QML, linked by Qt Multimedia's FFmpeg plugin (16.6 MB) -------------------------

# The FFmpeg plugin (the camera's backend) links Qt Quick only to capture a QQuickWindow with
# QWindowCapture (window capture: the app captures no windows and has no Qt Quick window); Qt
# Quick drags in Qml, QmlMeta, QmlModels and QmlWorkerScript. These two are replaced by stubs.
QT_QUICK_STUBBED = ("libQt6Quick.so.6", "libQt6Qml.so.6")
QT_FFMPEG_PLUGIN = "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so"
# The one kind of data symbol a stub may stand in for: a class's staticMetaObject, which the
# plugin only passes to QMetaObject::cast() (qobject_cast<QQuickWindow *>): QtCore compares its
# address with the object's meta-object chain and never reads it, so with a stub no window is
# ever a QQuickWindow, which is true in this app. A vtable or typeinfo would be read: never stubbed.
_QT_ADDRESS_ONLY = re.compile(r"_ZN(?:\d+[A-Za-z_]\w*?)+16staticMetaObjectE")


def _needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def slim_qt_quick(base: Path) -> SlimReport:
    """Replace Qt Quick and Qml in the collected bundle (``base``: ``_internal``) by stubs that
    define exactly what the FFmpeg multimedia plugin imports from them (aborting if ever called),
    then delete the rest of Qt Quick/QML (QmlMeta, QmlModels, QmlWorkerScript...), which only
    they linked. Run after the prune: nothing but the plugin may still link any of them."""
    report = SlimReport()
    qt_lib = base / "PySide6" / "Qt" / "lib"
    plugin = base / QT_FFMPEG_PLUGIN
    libs = [qt_lib / n for n in QT_QUICK_STUBBED if (qt_lib / n).is_file()]
    cc = _cc()
    if not plugin.is_file() or not libs:
        report.skipped = "no FFmpeg multimedia plugin or no Qt Quick in the bundle"
        return report
    if cc is None or shutil.which("nm") is None or shutil.which("readelf") is None:
        report.skipped = "no C compiler, nm or readelf (binutils): Qt Quick kept"
        return report
    family = re.compile(r"^libQt6(Quick|Qml|LabsQml)\w*\.so")
    members = [p for p in sorted(qt_lib.iterdir()) if family.match(p.name) and _is_elf(p)]
    names = {p.name for p in members}
    for path in sorted(base.rglob("*")):
        if path in members or not _is_elf(path):
            continue
        content = path.read_bytes()
        if not any(n.encode() in content for n in names):
            continue  # cannot name them in its dynamic section
        users = set(_needed(path)) & names
        if path == plugin:
            users -= {lib.name for lib in libs}
        if users:
            report.skipped = f"{path.relative_to(base)} links {sorted(users)}: Qt Quick kept"
            return report
    wanted = {name: version for kind, name, version in _nm(plugin, "--undefined-only") if kind in ("U", "w")}
    plans = []
    for lib in libs:
        functions: dict[str, str] = {}
        data: dict[str, tuple[str, int]] = {}
        for kind, name, size in _defined_with_sizes(lib):
            if name not in wanted:
                continue
            if kind in ("T", "W", "i"):
                functions[name] = wanted[name]
            elif _QT_ADDRESS_ONLY.fullmatch(name):
                data[name] = (wanted[name], size)
            else:
                report.skipped = f"the FFmpeg plugin imports {name} ({kind}) from {lib.name}: Qt Quick kept"
                return report
        plans.append((lib, functions, data))
    why = "Qt Quick was left out (the camera plugin links it only to capture Qt Quick windows)"
    for lib, functions, data in plans:
        report.bytes_before += lib.stat().st_size
        source, script = stub_source(lib.name, functions, data, why)
        with tempfile.TemporaryDirectory() as tmp:
            extra = []
            if functions or data:
                vs = Path(tmp) / "version.map"
                vs.write_text(script, encoding="utf-8")
                extra.append(f"-Wl,--version-script={vs}")
            out = Path(tmp) / lib.name
            _compile(cc, source, out, lib.name, extra)
            shutil.move(str(out), lib)
        report.bytes_after += lib.stat().st_size
        report.stubbed.append(lib.name)
    for member in members:
        if member.name not in report.stubbed:  # linked only by the real Quick/Qml
            report.bytes_before += member.stat().st_size
            member.unlink()
            report.removed.append(member.name)
    for link in [p for p in base.rglob("*") if p.is_symlink() and not p.exists()]:
        link.unlink()
    return report


def _defined_with_sizes(path: Path) -> list[tuple[str, str, int]]:
    """(type, name, size) of the dynamic symbols ``path`` defines."""
    out = subprocess.run(
        ["nm", "-D", "-S", "--defined-only", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4:
            rows.append((parts[2], parts[3].split("@")[0], int(parts[1], 16)))
    return rows


def _is_elf(path: Path) -> bool:
    if not path.is_file() or path.is_symlink():
        return False
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


# --- ICU data (Qt's libicudata, 32 MB) -------------------------------------------------------

# Locales whose ICU data is kept (with their regional variants): the app speaks Indonesian and
# English ("in" is the old code of Indonesian). Every other locale falls back to root.
ICU_LOCALES = ("root", "en", "id", "in")
_ICU_LOCALE_ITEM = re.compile(r"^(?:[a-z]+/)?([a-z]{2,3}(?:_[A-Za-z0-9]*)*)\.res$")
# Not locales, kept whatever their name looks like.
_ICU_KEEP = frozenset({"res_index.res", "pool.res"})
# Legacy code pages (UTF-8/16 and Latin-1 need no file), dictionaries for Thai/Lao/Khmer/Burmese/
# Chinese/Japanese word breaks, transliteration, Unicode character names, confusables, old IDNA
# profiles: nothing the app's text (Indonesian and English) needs.
_ICU_DROP_SUFFIXES = (".cnv", ".dict", ".cfu", ".spp")
_ICU_DROP_ITEMS = frozenset({"unames.icu"})


def icu_items_to_drop(items: list[str]) -> list[str]:
    """The items of ICU's data package (``icupkg -l`` names) the app does not need."""
    drop = []
    for item in items:
        name = item.rsplit("/", 1)[-1]
        if item.startswith("translit/") or name.endswith(_ICU_DROP_SUFFIXES) or name in _ICU_DROP_ITEMS:
            drop.append(item)
            continue
        m = _ICU_LOCALE_ITEM.match(item)
        if m and name not in _ICU_KEEP and m.group(1).split("_")[0] not in ICU_LOCALES:
            drop.append(item)
    return drop


def slim_icu(base: Path) -> tuple[int, int] | None:
    """Rebuild Qt's ``libicudata`` with only the data the app's languages need.

    The data is one symbol (``icudt<N>_dat``) in the library; it is read out, trimmed with
    ICU's own ``icupkg`` and put back in a library of the same name. Returns (bytes before,
    after), or None when the tools or the library are missing (the library is then kept).
    """
    libs = sorted(p for p in base.rglob("libicudata.so.*") if not p.is_symlink())
    icupkg, cc = shutil.which("icupkg"), _cc()
    if not libs or icupkg is None or cc is None or shutil.which("nm") is None:
        return None
    lib = libs[0]
    out = subprocess.run(
        ["nm", "-D", "-S", "--defined-only", str(lib)], capture_output=True, text=True, check=True
    )
    sym = next(
        (line.split() for line in out.stdout.splitlines() if re.search(r"\bicudt\d+_dat$", line)), None
    )
    if sym is None:
        return None
    offset, size, name = int(sym[0], 16), int(sym[1], 16), sym[3]
    blob = lib.read_bytes()
    section = _file_offset(lib, offset)
    data = blob[section : section + size]
    if data[2:4] != b"\xda\x27":  # ICU data header magic
        raise SystemExit(f"build_slim: {lib.name}: {name} is not ICU data")
    before = lib.stat().st_size
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        dat = t / f"{name.removesuffix('_dat')}l.dat"
        dat.write_bytes(data)
        listed = subprocess.run([icupkg, "-l", str(dat)], capture_output=True, text=True, check=True).stdout
        drop = icu_items_to_drop(listed.split())
        (t / "drop.txt").write_text("\n".join(drop) + "\n", encoding="utf-8")
        slim = t / "slim.dat"
        # --ignore-deps: root's word-break rules name the dictionaries dropped above; without
        # one ICU breaks those scripts' text by characters.
        cmd = [icupkg, "--ignore-deps", "--auto_toc_prefix", "-r", str(t / "drop.txt"), str(dat), str(slim)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"build_slim: {' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
        asm = t / "data.S"
        asm.write_text(
            f'.section .rodata\n.globl {name}\n.type {name}, @object\n.balign 16\n{name}:\n.incbin "{slim}"\n'
            f'.size {name}, . - {name}\n.section .note.GNU-stack,"",@progbits\n',
            encoding="utf-8",
        )
        new = t / lib.name
        cmd = [cc, "-shared", "-nostdlib", "-o", str(new), f"-Wl,-soname,{lib.name}", str(asm)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"build_slim: {' '.join(cmd)} failed:\n{proc.stderr}")
        shutil.move(str(new), lib)
    return before, lib.stat().st_size


def _file_offset(lib: Path, address: int) -> int:
    """The file offset of a virtual address in a shared library (from its section headers)."""
    out = subprocess.run(["readelf", "-S", "-W", str(lib)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 5 and parts[0].startswith("[") and parts[0] != "[Nr]":
            try:
                addr, off, size = int(parts[3], 16), int(parts[4], 16), int(parts[5], 16)
            except ValueError:
                continue
            if addr <= address < addr + size and parts[2] != "NOBITS":
                return off + (address - addr)
    raise SystemExit(f"build_slim: address {address:#x} not found in {lib.name}")


# --- Symbols and debug information left in wheels' binaries ------------------------------------


def _elf_sections(path: Path) -> list[str] | None:
    """Section names of a 64-bit little-endian ELF file; None when it is not one."""
    import struct

    with open(path, "rb") as f:
        head = f.read(64)
        if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            return None
        shoff = struct.unpack_from("<Q", head, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", head, 0x3A)
        if not shoff or shentsize < 64 or shstrndx >= shnum:
            return None
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        if len(table) < shentsize * shnum:
            return None
        headers = [struct.unpack_from("<IIQQQQ", table, i * shentsize) for i in range(shnum)]
        strtab = headers[shstrndx]
        f.seek(strtab[4])
        names = f.read(strtab[5])
    return [names[h[0] : names.find(b"\0", h[0])].decode("latin-1") for h in headers]


def needs_strip(path: Path) -> bool:
    """True for an ELF file that still carries a static symbol table or debug information
    (what ``file`` calls "not stripped"); its dynamic symbols are what the loader uses."""
    if not path.is_file() or path.is_symlink():
        return False
    sections = _elf_sections(path)
    return sections is not None and any(s == ".symtab" or s.startswith(".debug") for s in sections)


def _load_segments(path: Path) -> list[tuple[int, ...]] | None:
    """The program headers (type, flags, address, file size, memory size) of a 64-bit
    little-endian ELF file, or None when a loadable segment's file offset and address disagree
    modulo its alignment or it runs past the end of the file (the loader refuses that)."""
    import struct

    data = path.read_bytes()
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    rows = []
    for i in range(phnum):
        kind, flags, offset, vaddr, _p, filesz, memsz, align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize
        )
        if kind == 1 and ((align > 1 and (offset - vaddr) % align) or offset + filesz > len(data)):
            return None
        rows.append((kind, flags, vaddr, filesz, memsz))
    return rows


def trim_sections(path: Path, out: Path) -> bool:
    """Write to ``out`` a copy of the 64-bit little-endian ELF file ``path`` without its static
    symbol table and debug information (``.symtab``, ``.strtab``, ``.debug_*``: sections the
    loader never maps), keeping every segment's bytes exactly, with the same addresses and
    sizes. For the files binutils' ``strip`` relayouts wrongly: auditwheel's patchelf appended
    segments after the debug sections, so they sit in a hole between loaded segments. The
    content after such a hole moves down by whole multiples of the largest segment alignment
    (file offset and address stay congruent); the other unmapped sections (``.shstrtab``,
    ``.comment``...) go to the end; program and section headers are updated. False (nothing
    written) when the file does not have that shape or there is nothing to remove."""
    import struct

    data = path.read_bytes()
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return False
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 0x36)
    if not shoff or shentsize != 64 or phentsize != 56 or not 0 < shstrndx < shnum or shnum >= 0xFF00:
        return False
    phdrs = [list(struct.unpack_from("<IIQQQQQQ", data, phoff + i * 56)) for i in range(phnum)]
    rows = [list(struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * 64)) for i in range(shnum)]
    names = data[rows[shstrndx][4] : rows[shstrndx][4] + rows[shstrndx][5]]

    def name(row: list[int]) -> str:
        return names[row[0] : names.find(b"\0", row[0])].decode("latin-1")

    alloc, nobits = 0x2, 8
    mapped = [i for i, row in enumerate(rows) if i and row[2] & alloc]
    gone = {
        i
        for i, row in enumerate(rows)
        if i
        and not row[2] & alloc
        and (name(row) in (".symtab", ".strtab") or name(row).startswith(".debug"))
    }
    if not gone:
        return False
    # What must keep its bytes: the ELF header, the program headers, every segment, every
    # mapped section. Each as (offset, end).
    fixed = [(0, 64), (phoff, phoff + 56 * phnum)]
    fixed += [(ph[2], ph[2] + ph[5]) for ph in phdrs if ph[5]]
    fixed += [(rows[i][4], rows[i][4] + rows[i][5]) for i in mapped if rows[i][1] != nobits]
    fixed.sort()
    for i in gone:
        lo, hi = rows[i][4], rows[i][4] + rows[i][5]
        if any(a < hi and lo < b for a, b in fixed):
            return False  # a section to remove inside loaded bytes
    align = max([ph[7] for ph in phdrs if ph[0] == 1] + [1])
    # shift(offset): how far the fixed bytes at ``offset`` move down.
    starts: list[tuple[int, int]] = []  # (first offset after a hole, cumulative shift)
    shift = reach = 0
    for a, b in fixed:
        if a > reach:
            shift += (a - reach) // align * align
            starts.append((a, shift))
        reach = max(reach, b)

    def moved(offset: int) -> int:
        return offset - max([s for a, s in starts if a <= offset] + [0])

    body = bytearray(moved(reach))
    for a, b in fixed:
        body[moved(a) : moved(a) + (b - a)] = data[a:b]
    for ph in phdrs:
        if ph[5] or ph[2]:
            ph[2] = moved(ph[2])
    keep = [i for i in range(shnum) if i not in gone]
    index = {old: new for new, old in enumerate(keep)}
    table = bytearray()
    for old in keep:
        row = list(rows[old])
        if row[6] in gone or ((row[1] in (4, 9) or row[2] & 0x40) and row[7] in gone):
            return False  # a kept section names a removed one
        row[6] = index.get(row[6], row[6])
        if row[1] in (4, 9) or row[2] & 0x40:  # SHT_RELA / SHT_REL / SHF_INFO_LINK: an index
            row[7] = index.get(row[7], row[7])
        if old and row[2] & alloc:
            row[4] = moved(row[4])
        elif old and row[1] != nobits:  # unmapped: appended after the loaded bytes
            body += bytes(-len(body) % max(row[8], 1))
            content = data[row[4] : row[4] + row[5]]
            row[4] = len(body)
            body += content
        elif old:
            row[4] = moved(row[4]) if row[4] <= reach else len(body)
        table += struct.pack("<IIQQQQIIQQ", *row)
    new_phoff = moved(phoff)
    for i, ph in enumerate(phdrs):
        struct.pack_into("<IIQQQQQQ", body, new_phoff + i * 56, *ph)
    body += bytes(-len(body) % 8)
    struct.pack_into("<QQ", body, 0x20, new_phoff, len(body))
    struct.pack_into("<HH", body, 0x3C, len(keep), index[shstrndx])
    result = bytes(body + table)
    # Every segment's bytes as before, but for the file offsets in the ELF header (program and
    # section headers, section count) and the program headers' file offsets.
    if data[:0x20] != result[:0x20] or data[0x30:0x3C] != result[0x30:0x3C]:
        return False
    expected = bytearray(data)
    expected[:64] = result[:64]
    expected[phoff : phoff + 56 * phnum] = body[new_phoff : new_phoff + 56 * phnum]
    for i, ph in enumerate(phdrs):
        old_ph = struct.unpack_from("<IIQQQQQQ", data, phoff + i * 56)
        if old_ph[:2] + old_ph[3:] != tuple(ph[:2] + ph[3:]):
            return False
        if expected[old_ph[2] : old_ph[2] + old_ph[5]] != result[ph[2] : ph[2] + ph[5]]:
            return False
    out.write_bytes(result)
    return True


def strip_binaries(base: Path, *, skip: tuple[Path, ...] = ()) -> tuple[list[str], list[str], int, int]:
    """``strip --strip-unneeded`` every shared library and extension module under ``base`` that
    is not stripped yet (several wheels ship theirs with symbols and debug information: libpython,
    SQLCipher, cryptography, fontTools...). Only what the dynamic loader never reads goes: the
    dynamic symbol table, versions, RPATH and Qt's plugin metadata (an allocated note) stay.

    A file is replaced only when the stripped copy keeps every segment exactly (same addresses
    and sizes, loadable): files that auditwheel rewrote with patchelf (numpy's OpenBLAS, Pillow's
    extension modules) come out of ``strip`` with moved segments that the loader refuses
    ("ELF load command address/offset not page-aligned"), so they are kept as they are.
    ``skip``: files left alone (the launcher carries its archive after the ELF image).
    Returns (stripped, kept as they were: relative paths, bytes before, bytes after)."""
    strip = shutil.which("strip")
    if strip is None:
        return [], [], 0, 0
    skipped = {p.resolve() for p in skip}
    files = [p for p in sorted(base.rglob("*")) if p.resolve() not in skipped and needs_strip(p)]
    stripped: list[str] = []
    kept: list[str] = []
    before = after = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stripped"
        for path in files:
            rel = path.relative_to(base).as_posix()
            proc = subprocess.run([strip, "--strip-unneeded", "-o", str(out), str(path)], capture_output=True)
            segments = _load_segments(out) if proc.returncode == 0 else None
            if segments is None or segments != _load_segments(path):
                # strip moved the segments (a patchelf-rewritten file): drop the same sections
                # by editing the section table only, the loaded bytes untouched.
                original = _load_segments(path)
                if not trim_sections(path, out) or original is None or _load_segments(out) != original:
                    kept.append(rel)
                    continue
            before += path.stat().st_size
            after += out.stat().st_size
            shutil.copymode(path, out)
            os.replace(out, path)
            stripped.append(rel)
    return stripped, kept, before, after
