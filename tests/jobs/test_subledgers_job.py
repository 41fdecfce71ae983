"""``ledgerlink_core.jobs.subledgers`` from Python, against a third-party backend serving the
kit's golden sample."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest
from ledgerlink_core.errors import NotSupported
from ledgerlink_core.jobs import SubledgersRequest, subledgers
from ledgerlink_core.testing.samples import open_items

YEAR_END = dt.date(2025, 12, 31)


def test_open_items_per_kind_and_one_notification(
    ledgerlink_runtime: Any, install, imports
) -> None:
    install("samplebooks")
    result = subledgers(
        ledgerlink_runtime, SubledgersRequest(backend="samplebooks", as_of=YEAR_END)
    )
    assert result.source == "samplebooks" and result.date == YEAR_END
    assert list(result.items) == ["customer", "supplier"]
    for kind in ("customer", "supplier"):
        assert list(result.items[kind]) == open_items(kind, YEAR_END)
    counts = {k: len(open_items(k, YEAR_END)) for k in ("customer", "supplier")}
    assert imports.calls == [("samplebooks", "subledger", counts)]


def test_one_kind_and_the_transport_reach_the_backend(ledgerlink_runtime: Any, install) -> None:
    install("samplebooks")
    transport = object()
    request = SubledgersRequest(backend="samplebooks", as_of=YEAR_END, kinds=("supplier",))
    result = subledgers(ledgerlink_runtime, request, transport=transport)
    assert list(result.items) == ["supplier"]
    opened = sys.modules["ledgerlink_samplebooks"].SampleBooks.opened
    assert opened[-1].transport is transport


def test_a_backend_without_subledgers_is_refused_before_any_io(
    ledgerlink_runtime: Any, imports
) -> None:
    # sie_file has no subledgers, and no path is set: refused before settings are read.
    with pytest.raises(NotSupported) as caught:
        subledgers(ledgerlink_runtime, SubledgersRequest(backend="sie_file", as_of=YEAR_END))
    assert caught.value.missing == ("import.subledger.customer", "import.subledger.supplier")
    assert imports.calls == []
