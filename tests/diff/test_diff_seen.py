"""The voucher numbers a file has used, kept as runs: the same answers as a plain set."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from ledgerlink_core.diff.seen import NumberRuns, SeenNumbers


@given(st.lists(st.integers(min_value=0, max_value=60)))
def test_runs_answer_as_a_set_does(numbers: list[int]) -> None:
    runs, plain = NumberRuns(), set()
    for n in numbers:
        assert runs.add(n) == (n not in plain)
        plain.add(n)
    expanded = {n for s, e in zip(runs.starts, runs.ends, strict=True) for n in range(s, e + 1)}
    assert expanded == plain
    # disjoint, sorted and never touching: as few runs as the numbers allow
    assert all(e + 1 < s for e, s in zip(runs.ends, runs.starts[1:], strict=False))


def test_a_series_counting_up_is_one_run() -> None:
    runs = NumberRuns()
    assert all(runs.add(n) for n in range(1, 10_001))
    assert len(runs) == 1


def test_numbers_that_are_not_plain_whole_numbers_are_kept_as_text() -> None:
    seen = SeenNumbers()
    assert seen.add("A", "7") and seen.add("A", "007") and seen.add("B", "7")
    assert seen.add("A", "A7") and seen.add("A", "0")
    assert not seen.add("A", "7") and not seen.add("A", "007") and not seen.add("A", "A7")
