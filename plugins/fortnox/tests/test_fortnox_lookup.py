"""Finding an earlier post: None only when certainly absent, whatever shape the list has.

Each branch against the fake Fortnox behind ``httpx.MockTransport``: list items with and
without ``Comments``, a date filter honoured or not, full reads that fail or lack ``Comments``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from fake_fortnox import FakeFortnox, FakeVoucher, bank_fee, client_for, rows
from ledgerlink_core import (
    ExportAmbiguous,
    VoucherExport,
    VoucherRef,
    marker,
)
from ledgerlink_fortnox.export import FortnoxSink

DAY = dt.date(2025, 12, 31)
OTHER_DAY = dt.date(2025, 12, 30)


ITEM = bank_fee(day=DAY)
OURS = rows((6570, "10"), (1930, "-10"))


def _v(
    number: int, comments: str, day: dt.date = DAY, voucher_rows: list[dict[str, Any]] | None = None
) -> FakeVoucher:
    return FakeVoucher(2, "A", number, day, comments, voucher_rows or OURS)


def _others(count: int, day: dt.date, start: int = 1) -> list[FakeVoucher]:
    """Other vouchers of the series: someone else's, without our reference."""
    return [_v(n, f"Hyra {n}", day) for n in range(start, start + count)]


def _find(fake: FakeFortnox, item: VoucherExport = ITEM) -> VoucherRef | None:
    # a scaled window keeps the transport's retry backoff short
    with client_for(fake, rate_limit_window=0.1) as client:
        return FortnoxSink(client).find_voucher(item)


def _full_reads(fake: FakeFortnox) -> int:
    return sum(n for path, n in fake.count("GET").items() if path.startswith("vouchers/A/"))


def test_found_by_the_reference_in_the_list() -> None:
    fake = FakeFortnox(vouchers=[*_others(3, DAY), _v(4, marker(ITEM.external_ref))])
    assert _find(fake) == VoucherRef(series="A", number="4", year=2)
    (listed,) = [r.url.params for r in fake.requests if r.url.path == "/3/vouchers/sublist/A"]
    assert (listed["financialyear"], listed["fromdate"], listed["todate"]) == (
        "2",
        "2025-12-31",
        "2025-12-31",
    )
    assert _full_reads(fake) == 1  # only the match, for its rows


def test_certainly_absent_when_every_item_has_its_comments() -> None:
    fake = FakeFortnox(vouchers=_others(3, DAY))
    assert _find(fake) is None
    assert _full_reads(fake) == 0


def test_list_items_without_comments_are_read_in_full() -> None:
    fake = FakeFortnox(
        vouchers=[*_others(2, DAY), _v(3, f"{marker(ITEM.external_ref)}\nnote")],
        comments_in_list=False,
    )
    assert _find(fake) == VoucherRef(series="A", number="3", year=2)
    assert _full_reads(fake) == 3  # each candidate once; the match is not read again


def test_absent_after_reading_every_candidate_in_full() -> None:
    fake = FakeFortnox(vouchers=_others(3, DAY), comments_in_list=False)
    assert _find(fake) is None
    assert _full_reads(fake) == 3


def test_an_ignored_date_filter_is_applied_here_and_every_page_is_read() -> None:
    match = _v(9, marker(ITEM.external_ref))
    fake = FakeFortnox(
        vouchers=[*_others(8, OTHER_DAY), match], honour_dates=False, page_size_cap=3
    )
    assert _find(fake) == VoucherRef(series="A", number="9", year=2)
    assert fake.count("GET")["vouchers/sublist/A"] == 3  # the whole year, every page


def test_an_ignored_date_filter_without_comments_reads_only_that_days_vouchers() -> None:
    fake = FakeFortnox(
        vouchers=[*_others(5, OTHER_DAY), *_others(2, DAY, start=6)],
        honour_dates=False,
        comments_in_list=False,
    )
    assert _find(fake) is None
    assert _full_reads(fake) == 2


def test_a_list_item_without_a_date_cannot_be_ruled_out() -> None:
    fake = FakeFortnox(
        vouchers=[*_others(2, OTHER_DAY), _v(3, marker(ITEM.external_ref))],
        honour_dates=False,
        dates_in_list=False,
        comments_in_list=False,
    )
    # no list item says its date: every one is read in full
    assert _find(fake) == VoucherRef(series="A", number="3", year=2)
    assert _full_reads(fake) == 3


@pytest.mark.parametrize("status", [404, 500])
def test_a_failed_full_read_is_ambiguous(status: int) -> None:
    fake = FakeFortnox(
        vouchers=[*_others(2, DAY)], comments_in_list=False, fail=[("GET", "vouchers/A/2", status)]
    )
    with pytest.raises(ExportAmbiguous):
        _find(fake)


def test_a_voucher_without_comments_even_in_full_is_ambiguous() -> None:
    fake = FakeFortnox(vouchers=_others(1, DAY), comments_in_list=False, comments_in_full=False)
    with pytest.raises(ExportAmbiguous, match="without its Comments"):
        _find(fake)


def test_a_failed_listing_is_ambiguous() -> None:
    fake = FakeFortnox(vouchers=_others(1, DAY), fail=[("GET", "vouchers/sublist/A", 503)])
    with pytest.raises(ExportAmbiguous):
        _find(fake)


def test_our_reference_on_other_rows_is_ambiguous() -> None:
    fake = FakeFortnox(
        vouchers=[_v(1, marker(ITEM.external_ref), voucher_rows=rows((7010, "5"), (1930, "-5")))]
    )
    with pytest.raises(ExportAmbiguous, match="different rows"):
        _find(fake)


def test_our_reference_on_another_day_is_ambiguous() -> None:
    fake = FakeFortnox(
        vouchers=[_v(1, marker(ITEM.external_ref), OTHER_DAY)],
        honour_dates=False,
        dates_in_list=False,
    )
    with pytest.raises(ExportAmbiguous, match="different date"):
        _find(fake)


def test_twice_in_fortnox_keeps_the_first(caplog: pytest.LogCaptureFixture) -> None:
    ref = marker(ITEM.external_ref)
    fake = FakeFortnox(vouchers=[_v(12, ref), _v(3, ref)], comments_in_list=False)
    with caplog.at_level(logging.WARNING, logger="ledgerlink.fortnox"):
        assert _find(fake) == VoucherRef(series="A", number="3", year=2)
    assert "2 times (3, 12)" in caplog.text
