"""Property tests: any model survives write -> read; damaged bytes raise only SieError."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.model import (
    Account,
    AccountType,
    Balance,
    Bookkeeping,
    CompanyInfo,
    Dimension,
    DimensionObject,
    FiscalYear,
    ObjectRef,
    PeriodBalance,
    RowChange,
    SourceInfo,
    Voucher,
    VoucherRow,
)
from ledgerlink_core.sie import SieError, check_sie, dumps_sie, read_sie

# Texts as bookkeeping writes them: printable ASCII (quotes and backslashes included) and the
# letters and signs of Swedish texts, all of which CP437 holds. (Encoding detection is a
# heuristic over Swedish letters, docs/sie-format.md §7: a file of, say, Greek CP437
# letters alone could pass for Latin-1.) No control characters, no trailing backslash
# (SIE cannot express one).
CP437_TEXT = "".join(chr(c) for c in range(32, 127)) + "åäöÅÄÖéÉüÜ£½¼°±²µ"
texts = st.text(alphabet=CP437_TEXT, max_size=30).filter(lambda s: not s.endswith("\\"))
some_text = texts.filter(bool)
codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789åäö-", min_size=1, max_size=6)
accounts = st.integers(1000, 8999).map(str)
amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
days = st.dates(dt.date(2024, 1, 1), dt.date(2025, 12, 31))
objects = st.lists(
    st.builds(ObjectRef, dimension=st.sampled_from([1, 2, 6, 20]), number=codes), max_size=3
).map(tuple)


@st.composite
def rows(draw: st.DrawFn, chart: list[str]) -> VoucherRow:
    return VoucherRow(
        account=draw(st.sampled_from(chart)),
        amount=draw(amounts),
        objects=draw(objects),
        date=draw(st.none() | days),
        text=draw(st.none() | some_text),
        quantity=draw(st.none() | amounts),
        sign=draw(st.none() | some_text),
    )


@st.composite
def vouchers(draw: st.DrawFn, chart: list[str]) -> Voucher:
    body = draw(st.lists(rows(chart), min_size=1, max_size=5))
    last = draw(rows(chart))
    balance = dataclasses.replace(last, amount=-sum((r.amount for r in body), Decimal(0)))
    trans = [*body, balance]
    history = sorted(
        draw(
            st.lists(
                st.builds(
                    RowChange,
                    kind=st.just("removed"),
                    row=rows(chart),
                    position=st.integers(0, len(trans)),
                ),
                max_size=2,
            )
        ),
        key=lambda h: h.position,
    )
    if draw(st.booleans()):  # an #RTRANS with its twin #TRANS
        i = draw(st.integers(0, len(trans) - 1))
        history = [h for h in history if h.position != i]
        history.append(RowChange(kind="added", row=trans[i], position=i))
        history.sort(key=lambda h: h.position)
    sign = draw(st.none() | some_text)
    return Voucher(
        series=draw(st.sampled_from(["", "A", "B", "LEV1"])),
        number=draw(st.none() | st.integers(1, 10**6).map(str)),
        date=draw(days),
        text=draw(texts),
        reg_date=draw(st.none() | days),
        sign=sign,
        rows=tuple(trans),
        history=tuple(history),
    )


@st.composite
def books(draw: st.DrawFn) -> Bookkeeping:
    numbers = draw(st.lists(accounts, min_size=1, max_size=6, unique=True))
    return Bookkeeping(
        company=CompanyInfo(
            name=draw(some_text.filter(lambda s: s.strip())),
            org_nr=draw(st.none() | st.just("556677-8899")),
            taxation_year=draw(st.none() | st.integers(2000, 2030)),
        ),
        source=SourceInfo(generated_on=dt.date(2026, 1, 1)),
        fiscal_years=(FiscalYear(index=0, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)),),
        accounts=tuple(
            Account(
                number=n,
                name=draw(texts),
                type=draw(st.none() | st.sampled_from(AccountType)),
                sru=tuple(draw(st.lists(st.integers(7000, 7999).map(str), max_size=2))),
            )
            for n in numbers
        ),
        dimensions=(Dimension(number=6, name="Projekt"),),
        objects=tuple(
            DimensionObject(dimension=6, number=c, name=draw(texts))
            for c in draw(st.lists(codes, max_size=3, unique=True))
        ),
        opening_balances=tuple(
            Balance(year_index=0, account=n, amount=draw(amounts)) for n in numbers[:2]
        ),
        period_balances=tuple(
            PeriodBalance(
                year_index=0,
                period="202503",
                account=n,
                objects=draw(objects),
                amount=draw(amounts),
            )
            for n in numbers[:2]
        ),
        vouchers=tuple(draw(st.lists(vouchers(numbers), max_size=4))),
    )


def _without_source(book: Bookkeeping) -> Bookkeeping:
    return book.model_copy(update={"source": None})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), st.booleans())
def test_write_then_read_gives_the_same_model(book: Bookkeeping, ksumma: bool) -> None:
    data = dumps_sie(book, sie_type="4E", ksumma=ksumma)
    doc = read_sie(data)
    assert _without_source(doc.bookkeeping) == _without_source(book)
    assert doc.info.ksumma == ("valid" if ksumma else "absent")
    assert dumps_sie(doc.bookkeeping, sie_type="4E", ksumma=ksumma) == data


_EXAMPLE = read_sie(example_company_path()).bookkeeping
#: A small real-looking file (with #KSUMMA, #RTRANS/#BTRANS, objects) to damage.
SAMPLE = dumps_sie(
    _EXAMPLE.model_copy(
        update={
            "vouchers": tuple(v for v in _EXAMPLE.vouchers if v.history)[:2]
            + _EXAMPLE.vouchers[:6],
            "period_balances": _EXAMPLE.period_balances[:5],
        }
    ),
    ksumma=True,
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_damaged_bytes_raise_only_sie_error(data: st.DataObject) -> None:
    raw = bytearray(SAMPLE)
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    damaged = bytes(raw[:cut])
    for call in (
        lambda: read_sie(damaged, strict=True),
        lambda: read_sie(damaged, strict=False),
        lambda: check_sie(damaged),
    ):
        try:
            call()
        except SieError as err:
            assert str(err)  # a one-line message
            assert "\n" not in str(err)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_sie_error(blob: bytes) -> None:
    for strict in (True, False):
        # Anything else escaping (ValueError, UnicodeError, IndexError...) fails the test.
        with contextlib.suppress(SieError):
            read_sie(b"#FLAGGA 0\r\n" + blob, strict=strict)
