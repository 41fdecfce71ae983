"""Pick one fiscal year (``#RAR``) out of a SIE bookkeeping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledgerlink_core import Bookkeeping, BookkeepingRequest, FiscalYear, InputError


def _describe(years: tuple[FiscalYear, ...]) -> str:
    if not years:
        return "the file has no #RAR records"
    listed = ", ".join(
        f"{y.end.year} (#RAR {y.index}: {y.start}..{y.end})"
        for y in sorted(years, key=lambda y: -y.index)
    )
    return f"the file has {listed}"


def select_year(book: Bookkeeping, request: BookkeepingRequest, path: Path) -> Bookkeeping:
    """The bookkeeping of the requested year, re-indexed so that year is ``#RAR 0``.

    ``year_index`` is the ``#RAR`` index, ``year`` the calendar year the fiscal year ends
    in, ``on_date`` the year holding that date; nothing means the file as it is. For an
    earlier year only its balances and the vouchers dated inside it are kept (a SIE 4E file
    carries the vouchers of year 0 only). A year the file lacks is an :class:`InputError`.
    """
    years = book.fiscal_years
    if request.year_index is not None:
        chosen = book.fiscal_year(request.year_index)
        wanted = f"#RAR {request.year_index}"
    elif request.year is not None:
        matches = [y for y in years if y.end.year == request.year]
        chosen = max(matches, key=lambda y: y.index) if matches else None
        wanted = f"fiscal year ending in {request.year}"
    elif request.on_date is not None:
        chosen = next((y for y in years if y.contains(request.on_date)), None)
        wanted = f"fiscal year holding {request.on_date}"
    else:
        return book
    if chosen is None:
        raise InputError(f"no {wanted}: {_describe(years)}", path=path)
    k = chosen.index
    if k == 0:
        return book

    def shift(index: int) -> int:
        return index - k

    return book.model_copy(
        update={
            "fiscal_years": tuple(
                y.model_copy(update={"index": shift(y.index)}) for y in years if y.index <= k
            ),
            "opening_balances": _balances(book.opening_balances, k),
            "closing_balances": _balances(book.closing_balances, k),
            "results": _balances(book.results, k),
            "object_opening_balances": _balances(book.object_opening_balances, k),
            "object_closing_balances": _balances(book.object_closing_balances, k),
            "period_balances": _balances(book.period_balances, k),
            "period_budgets": _balances(book.period_budgets, k),
            "vouchers": tuple(v for v in book.vouchers if chosen.contains(v.date)),
        }
    )


def _balances(items: tuple[Any, ...], k: int) -> tuple[Any, ...]:
    """Balances of years up to ``k``, re-indexed so year ``k`` becomes 0."""
    return tuple(
        b.model_copy(update={"year_index": b.year_index - k}) for b in items if b.year_index <= k
    )
