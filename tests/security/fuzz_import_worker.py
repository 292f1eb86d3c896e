"""Child process for the importer fuzz test (run as a script, not collected by pytest).

Reads ``{"seed": int, "base": path}`` cases, one JSON line each, from stdin; for each prints
``{"i": n, "start": true}`` before and ``{"i": n, "outcome": ...}`` after, so the parent can
time each case and kill a hang. Outcomes: "ok", "bad_input", or "crash: <type>: <text>"; and the
warnings the decoders raised (logged, not fatal, in the app).
"""

from __future__ import annotations

import json
import random
import sys
import warnings
from pathlib import Path

from desa_capil.errors import BadInputError
from desa_capil.scan.sources import import_bytes

INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFFFFFF, 0xFFFFFFFF]


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        if op == 0 and buf:  # flip random bytes
            for _ in range(rng.randint(1, 16)):
                buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
        elif op == 1 and len(buf) > 8:  # truncate
            del buf[rng.randint(8, len(buf) - 1) :]
        elif op == 2:  # insert junk
            pos = rng.randint(0, len(buf))
            buf[pos:pos] = rng.randbytes(rng.randint(1, 64))
        elif op == 3 and len(buf) > 8:  # 32-bit "interesting" value (sizes, offsets, counts)
            pos = rng.randrange(len(buf) - 4)
            buf[pos : pos + 4] = rng.choice(INTERESTING).to_bytes(4, rng.choice(["big", "little"]))
        elif op == 4 and len(buf) > 16:  # duplicate a slice
            a = rng.randrange(len(buf) - 8)
            b = min(len(buf), a + rng.randint(1, 256))
            pos = rng.randint(0, len(buf))
            buf[pos:pos] = buf[a:b]
        elif op == 5 and len(buf) > 8:  # delete a slice
            a = rng.randrange(len(buf) - 4)
            del buf[a : a + rng.randint(1, 64)]
    return bytes(buf)


def _say(msg: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def main() -> None:
    # As the app runs: a warning from a decoder is logged, not raised. Warnings are reported
    # to the parent separately (they would be errors under the test suite's filterwarnings).
    for n, line in enumerate(sys.stdin):
        case = json.loads(line)
        rng = random.Random(case["seed"])
        data = mutate(Path(case["base"]).read_bytes(), rng)
        _say({"i": n, "start": True})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                import_bytes(data, "fuzz", max_pixels=4_000_000, max_pages=5, pdf_dpi=50)
                outcome = "ok"
            except BadInputError:
                outcome = "bad_input"
            except Exception as exc:  # noqa: BLE001 - the parent reports every other exception
                outcome = f"crash: {type(exc).__name__}: {str(exc)[:200]}"
        warned = sorted({f"{w.category.__name__}: {str(w.message)[:80]}" for w in caught})
        _say({"i": n, "outcome": outcome, "warnings": warned})


if __name__ == "__main__":
    main()
