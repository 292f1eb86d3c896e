"""What an update costs to download, and to make and apply, between two real bundles.

    python benchmarks/update_delta.py OLD_BUNDLE NEW_BUNDLE [--json out.json] [--work DIR]

OLD_BUNDLE and NEW_BUNDLE are two ``dist/desa-capil`` folders (e.g. the same source built with
Pillow 12.3.0 and with 13.0.0: a dependency bump). The release is made exactly as
``python -m desa_capil.update publish`` makes it (tufup: the full .tar.gz archive and one
bsdiff patch over the whole uncompressed tar), each step in a child process so that its peak
memory is its own:

1. which files differ between the two folders (count and bytes, by top folder);
2. publish OLD as 0.1.0, then NEW as 0.1.1 with the patch: archive and patch size, time and
   peak memory of the signing machine (bsdiff's suffix sort is what needs memory);
3. apply the patch as a laptop does (tufup's Patcher: old tar + patch -> new tar, checked
   against the signed size and SHA-256): time and peak memory.

Figures go in BENCHMARKS.md ("Updates: delta size"). Run under ``nice``: it is long.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def files_of(folder: Path) -> dict[str, Path]:
    return {
        p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
    }


def compare(old: Path, new: Path) -> dict[str, Any]:
    a, b = files_of(old), files_of(new)
    changed = [
        k
        for k in sorted(set(a) & set(b))
        if a[k].stat().st_size != b[k].stat().st_size or digest(a[k]) != digest(b[k])
    ]
    added = sorted(set(b) - set(a))
    removed = sorted(set(a) - set(b))
    by_top: dict[str, int] = defaultdict(int)
    for k in changed + added:
        parts = k.split("/")
        top = (
            "/".join(parts[:2])
            if parts[0] == "_internal" and len(parts) > 2
            else parts[0]
            if len(parts) > 1
            else k
        )
        by_top[top] += b[k].stat().st_size
    return {
        "files_old": len(a),
        "files_new": len(b),
        "changed": len(changed),
        "added": len(added),
        "removed": len(removed),
        "changed_or_added_bytes": sum(b[k].stat().st_size for k in changed + added),
        "by_top": dict(sorted(by_top.items(), key=lambda kv: -kv[1])[:15]),
        "changed_files": changed[:40],
    }


def child_publish(old: Path, new: Path, work: Path) -> dict[str, Any]:
    from desa_capil.update import publish

    repo, keys = work / "repo", work / "keys"
    publish.init_repository(repo, keys)
    t0 = time.perf_counter()
    first = publish.publish_bundle(repo, keys, old, "0.1.0", patch=False)
    t1 = time.perf_counter()
    second = publish.publish_bundle(repo, keys, new, "0.1.1", patch=True)
    t2 = time.perf_counter()
    assert second.patch is not None
    return {
        "old_archive_bytes": first.archive_bytes,
        "new_archive_bytes": second.archive_bytes,
        "patch_bytes": second.patch_bytes,
        "publish_old_s": round(t1 - t0, 1),
        "publish_new_with_patch_s": round(t2 - t1, 1),
        "old_archive": str(first.archive),
        "new_archive": str(second.archive),
        "patch": str(second.patch),
    }


def child_apply(old_archive: Path, patch: Path, new_archive: Path) -> dict[str, Any]:
    import bsdiff4

    t0 = time.perf_counter()
    with gzip.open(old_archive, "rb") as f:
        tar = f.read()
    tar = bsdiff4.patch(tar, patch.read_bytes())
    t1 = time.perf_counter()
    with gzip.open(new_archive, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    return {
        "apply_s": round(t1 - t0, 1),
        "new_tar_bytes": len(tar),
        "patched_tar_matches": hashlib.sha256(tar).hexdigest() == want,
    }


def run_child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:], "exit": proc.returncode}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def with_peak(result: dict[str, Any]) -> str:
    """The child's answer with its own peak memory (ru_maxrss: KiB on Linux)."""
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return json.dumps(result)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--work", type=Path, help="keep the repository here (default: a temporary folder)")
    ap.add_argument("--child", choices=("publish", "apply"), help=argparse.SUPPRESS)
    ap.add_argument("--extra", nargs="*", default=[], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child == "publish":
        print(with_peak(child_publish(args.old, args.new, Path(args.extra[0]))))  # noqa: T201
        return 0
    if args.child == "apply":
        print(with_peak(child_apply(args.old, args.new, Path(args.extra[0]))))  # noqa: T201
        return 0

    with tempfile.TemporaryDirectory(prefix="update-delta-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        result: dict[str, Any] = {"old": str(args.old), "new": str(args.new)}
        result["files"] = compare(args.old, args.new)
        print(json.dumps(result["files"], indent=1), flush=True)  # noqa: T201
        pub = run_child([str(args.old), str(args.new), "--child", "publish", "--extra", str(work)])
        result["publish"] = pub
        print(json.dumps(pub, indent=1), flush=True)  # noqa: T201
        if "error" not in pub:
            applied = run_child(
                [pub["old_archive"], pub["patch"], "--child", "apply", "--extra", pub["new_archive"]]
            )
            result["apply"] = applied
            print(json.dumps(applied, indent=1), flush=True)  # noqa: T201
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
