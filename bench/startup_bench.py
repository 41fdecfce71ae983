"""Benchmark of the CLI's start-up (not a test): ``ledgerlink --help``, ``check`` on the
bundled example company and a shell completion, against ``python -c "import click"``.

    python bench/startup_bench.py [--runs 21] [--warmup 3]

Like hyperfine: each command is one fresh process, run ``--warmup`` times untimed and then
``--runs`` times, the commands interleaved run by run so that the machine's load falls on all
of them alike; the table has the median, min and max wall time and the median's ratio to the
``import click`` floor. The plugin command cache is warmed first (as every run after the
first one finds it). Target (issue 13 part 8): ``--help`` and completion within 2x of the
floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = (
    Path(__file__).resolve().parent.parent
    / "core"
    / "src"
    / "ledgerlink_core"
    / "examples"
    / "exempel_ab.se"
)


def commands() -> dict[str, tuple[list[str], dict[str, str]]]:
    py = sys.executable
    complete = {"_LEDGERLINK_COMPLETE": "bash_complete", "COMP_WORDS": "ledgerlink pu"}
    complete["COMP_CWORD"] = "1"
    backends = {"_LEDGERLINK_COMPLETE": "bash_complete", "COMP_WORDS": "ledgerlink pull --from "}
    backends["COMP_CWORD"] = "3"
    return {
        "import click": ([py, "-c", "import click"], {}),
        "ledgerlink --help": ([py, "-m", "ledgerlink_cli", "--help"], {}),
        "completion: pu<TAB>": ([py, "-m", "ledgerlink_cli"], complete),
        "completion: --from <TAB>": ([py, "-m", "ledgerlink_cli"], backends),
        "ledgerlink check example": ([py, "-m", "ledgerlink_cli", "check", str(EXAMPLE)], {}),
    }


def run_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        base = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERLINK_")}
        base["LEDGERLINK_CONFIG_DIR"] = str(Path(home) / "config")
        base["LEDGERLINK_DATA_DIR"] = str(Path(home) / "data")
        todo = {name: (argv, {**base, **extra}) for name, (argv, extra) in commands().items()}
        for _ in range(args.warmup):
            for argv, env in todo.values():
                run_once(argv, env)
        times: dict[str, list[float]] = {name: [] for name in todo}
        for _ in range(args.runs):
            for name, (argv, env) in todo.items():
                times[name].append(run_once(argv, env))
    floor = statistics.median(times["import click"])
    print(f"Python {sys.version.split()[0]}, {args.runs} runs each (after {args.warmup} warm-up)")
    least = min(times["import click"])
    print("| command | median ms | min ms | max ms | median x click | min x click |")
    print("|---|---|---|---|---|---|")
    for name, found in times.items():
        median = statistics.median(found)
        print(
            f"| {name} | {median * 1000:.0f} | {min(found) * 1000:.0f} | "
            f"{max(found) * 1000:.0f} | {median / floor:.2f} | {min(found) / least:.2f} |"
        )


if __name__ == "__main__":
    main()
