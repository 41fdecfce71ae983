"""CLI fuzz run (not a test): mutated corpus files through ``check --json`` and ``pull --json``.

```
python bench/fuzz_cli.py [--files 300] [--seed 1] [--corpus ../shared/sie-corpus]
```

Each of ``--files`` mutations of a random corpus file (byte flips, truncations, lines deleted,
duplicated or swapped, labels spliced in, random bytes inserted, braces and quotes, digits
swapped, line ends mixed) is run through both commands in a subprocess, as a user would run
them. A run counts as bad when it prints a traceback, exits 70 (an internal error), takes
longer than ``--timeout`` or exits 0 with output that is not JSON. It prints a JSON summary
and exits 1 when any run was bad. The reliability review's run was 300 files, 600 runs.

``tests/cli/test_fuzz.py`` runs a few dozen of the same mutations in-process on every
``make test``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABELS = [
    *(b"#" + name for name in (b"VER", b"TRANS", b"RTRANS", b"BTRANS", b"RAR", b"IB", b"UB")),
    *(b"#" + name for name in (b"RES", b"KONTO", b"KSUMMA", b"SIETYP", b"FNAMN", b"PSALDO")),
    *(b"#OBJEKT", b"#DIM", b"{", b"}"),
]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def flip(rng: random.Random, data: bytes) -> bytes:
    """Flip a few bytes."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def truncate(rng: random.Random, data: bytes) -> bytes:
    """Cut the file anywhere."""
    return data[: rng.randrange(len(data) + 1)]


def delete_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    if lines:
        del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])


def swap_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def splice_label(rng: random.Random, data: bytes) -> bytes:
    """Replace a line's label by another one (a #TRANS where a #VER was...)."""
    lines = _lines(data)
    i = rng.randrange(len(lines))
    _, _, rest = lines[i].partition(b" ")
    lines[i] = rng.choice(LABELS) + (b" " + rest if rest else b"")
    return b"\n".join(lines)


def insert_random(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 32)) + data[at:]


def braces_and_quotes(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice([b"{", b"}", b'"', b"\\", b"{}", b'"\n']) + data[at:]


def swap_digits(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    digits = [i for i, c in enumerate(b) if 48 <= c <= 57]
    for i in rng.sample(digits, min(len(digits), rng.randint(1, 6))):
        b[i] = rng.randint(48, 57)
    return bytes(b)


def mix_line_ends(rng: random.Random, data: bytes) -> bytes:
    return b"".join(line + rng.choice([b"\n", b"\r\n", b"\r"]) for line in data.splitlines())


MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    flip, truncate, delete_line, duplicate_line, swap_lines, splice_label, insert_random,
    braces_and_quotes, swap_digits, mix_line_ends,
]  # fmt: skip


def corpus_files(corpus: Path) -> list[Path]:
    """Every SIE file of the corpus (by PROVENANCE's suffixes), sorted."""
    suffixes = {".se", ".si", ".sie"}
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def mutate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One to three mutations of ``data``; the names of the mutations and the result."""
    names = []
    for _ in range(rng.randint(1, 3)):
        fn = rng.choice(MUTATIONS)
        data = fn(rng, data) if data else data
        names.append(fn.__name__)
    return "+".join(names), data


def judge(code: int, stdout: str, stderr: str) -> str | None:
    """Why a run is bad, or None: a traceback, exit 70, or exit 0 without JSON."""
    if "Traceback (most recent call last)" in stderr:
        return "traceback"
    if code == 70:
        return "exit 70"
    if code == 0:
        try:
            json.loads(stdout)
        except ValueError:
            return "exit 0 without JSON"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "sie-corpus")
    args = parser.parse_args()
    sources = corpus_files(args.corpus)
    if not sources:
        print(f"no SIE files under {args.corpus}", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    codes: Counter[str] = Counter()
    bad: list[dict[str, object]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        env_dirs = {"LEDGERLINK_CONFIG_DIR": f"{tmp}/config", "LEDGERLINK_DATA_DIR": f"{tmp}/data"}
        for n in range(args.files):
            source = rng.choice(sources)
            how, data = mutate(rng, source.read_bytes())
            path = Path(tmp) / f"m{n}{source.suffix}"
            path.write_bytes(data)
            for command in (["check", str(path), "--json"], ["pull", str(path), "--json"]):
                try:
                    proc = subprocess.run(
                        [sys.executable, "-m", "ledgerlink_cli", *command],
                        capture_output=True,
                        text=True,
                        timeout=args.timeout,
                        env={**_environ(), **env_dirs},
                    )
                    why = judge(proc.returncode, proc.stdout, proc.stderr)
                    codes[f"{command[0]} exit {proc.returncode}"] += 1
                except subprocess.TimeoutExpired:
                    why = "timeout"
                if why:
                    bad.append({"file": source.name, "mutation": how, "command": command[0],
                                "why": why})  # fmt: skip
            path.unlink()
    runs = 2 * args.files
    print(json.dumps({"files": args.files, "runs": runs, "bad": len(bad),
                      "seconds": round(time.monotonic() - started, 1),
                      "exit_codes": dict(sorted(codes.items())), "bad_runs": bad[:20]},
                     indent=2))  # fmt: skip
    return 1 if bad else 0


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("LEDGERLINK_")}


if __name__ == "__main__":
    raise SystemExit(main())
