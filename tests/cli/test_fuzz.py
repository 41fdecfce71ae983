"""Mutated corpus files through ``check --json`` and ``pull --json``: never a traceback, never
exit 70, JSON whenever the exit is 0. ``bench/fuzz_cli.py`` runs the same mutations in
subprocesses, hundreds of them (the reliability review's 600 runs)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

import pytest
from testpaths import CORPUS, REPO

FILES = 40


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_cli", REPO / "bench" / "fuzz_cli.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the SIE corpus is not at {CORPUS}")
def test_mutated_corpus_files_never_crash_the_cli(run_cli, tmp_path: Path) -> None:
    fuzz = _fuzz()
    sources = fuzz.corpus_files(CORPUS)
    rng = random.Random(20261202)
    bad = []
    for n in range(FILES):
        source = rng.choice(sources)
        how, data = fuzz.mutate(rng, source.read_bytes())
        path = tmp_path / f"m{n}{source.suffix}"
        path.write_bytes(data)
        for command in ("check", "pull"):
            extra = ["--no-snapshot"] if command == "pull" else []
            result = run_cli(command, str(path), "--json", *extra)
            why = fuzz.judge(result.exit_code, result.stdout, result.stderr)
            if why:
                bad.append((source.name, how, command, why, result.stderr[-300:]))
    assert not bad
