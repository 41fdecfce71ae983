"""The diff against the 179 real SIE files of ../shared/sie-corpus: every file against itself,
and against its own round trip through the writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgerlink_core.diff import diff_sie
from ledgerlink_core.model import Bookkeeping
from ledgerlink_core.sie import SieError, check_sie, dumps_sie, read_sie
from testpaths import CORPUS


def _corpus_files() -> list[object]:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "PROVENANCE.md")
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no SIE corpus at {CORPUS}"))]
    return [pytest.param(p, id=str(p.relative_to(CORPUS))) for p in files]


CORPUS_FILES = _corpus_files()


def _cp437_safe(book: Bookkeeping) -> bool:
    """The writer writes CP437 and turns the characters it lacks into ``?``: a book with such
    characters cannot come back equal."""
    text = book.model_dump_json()
    return text.encode("cp437", errors="replace").decode("cp437") == text


@pytest.mark.parametrize("path", CORPUS_FILES)
def test_a_corpus_file_against_itself_and_its_round_trip(path: Path, corpus_dir: Path) -> None:
    try:
        same = diff_sie(path, path)
    except SieError as err:
        # Only files the strict reader refuses (PROVENANCE's broken ones and the real files
        # that break the spec, see tests/sie/test_sie_corpus.py), at the same line, for the
        # same reason.
        with pytest.raises(SieError) as load:
            read_sie(path)
        assert (err.line, err.code) == (load.value.line, load.value.code)
        assert str(err) == str(load.value) and str(err).startswith(f"{path}:")
        assert not check_sie(path).clean
        return
    assert same.equal, same.summary
    assert same.old == same.new

    # The round trip, for the files the writer can represent fully. Left out: files the full,
    # strict load refuses (e.g. an account used without #KONTO: the diff reads them, the load
    # does not); texts with characters CP437 lacks (the writer writes `?`); and an #SRU,
    # #KTYP or #ENHET of an account without #KONTO (the model holds it as an account with an
    # empty name, which the writer writes as `#KONTO 1110 ""`).
    try:
        doc = read_sie(path)
    except SieError:
        return
    if not _cp437_safe(doc.bookkeeping):
        return
    if any(p.code == "undeclared-account" for p in doc.problems):
        return
    kind = "4I" if doc.info.sie_type == "4I" else "4E"
    written = dumps_sie(doc.bookkeeping, sie_type=kind)
    again = diff_sie(path, written, new_name="round-trip")
    assert again.equal, again.model_dump(exclude={"old", "new"})
