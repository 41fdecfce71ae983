"""Pairing the subledger's documents and payments with the ledger's vouchers on the control
accounts, and naming what does not pair: the causes of a difference.

A document or payment carrying a voucher reference is matched by it; one without is matched
by amount (the same date first, then a day's payments together, then any date in the year).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ledgerlink_core.model import Bookkeeping, FiscalYear, SubledgerHistory, Voucher
from ledgerlink_core.reconcile.ledger import Controls, is_counted
from ledgerlink_core.reconcile.report import ZERO, Cause, CauseKind, cents

__all__ = [
    "Entry",
    "Event",
    "Ledger",
    "control_entries",
    "name_causes",
    "pair_events",
    "subledger_events",
]


@dataclass
class Entry:
    """A ledger voucher's rows on the control accounts, in the subledger's sign."""

    voucher: Voucher
    amount: Decimal
    account: str
    used: bool = False

    @property
    def ref(self) -> str:
        """The voucher as people name it: ``A 54``."""
        return f"{self.voucher.series} {self.voucher.number}".strip()


@dataclass
class Event:
    """A document or payment of the subledger as it should show on the control accounts."""

    what: Literal["document", "payment"]
    ref: str
    document: str
    date: dt.date
    amount: Decimal
    voucher: tuple[str, str] | None
    counterparty: str
    matched: Entry | None = None
    account: str | None = None


@dataclass
class Ledger:
    """The year's vouchers on the control accounts, in order and by (series, number)."""

    entries: list[Entry] = field(default_factory=list)
    by_ref: dict[tuple[str, str], Entry] = field(default_factory=dict)


def control_entries(
    book: Bookkeeping, year: FiscalYear, controls: Controls, sign: Decimal
) -> Ledger:
    """Every voucher of ``year`` with rows on the control accounts (after the date too: a
    payment the subledger has before the date may be booked after it)."""
    ledger = Ledger()
    for v in book.vouchers:
        if not year.contains(v.date):
            continue
        rows = [r for r in v.rows if is_counted(controls, r.account)]
        if not rows:
            continue
        entry = Entry(v, cents(sign * sum((r.amount for r in rows), ZERO)), rows[0].account)
        ledger.entries.append(entry)
        ledger.by_ref[(v.series, v.number or "")] = entry
    return ledger


def subledger_events(history: SubledgerHistory, year: FiscalYear, as_of: dt.date) -> list[Event]:
    """The documents booked in the year up to the date and every payment registered in the
    year (after the date too: the ledger may have those earlier)."""
    docs = {d.number: d for d in history.documents}
    out: list[Event] = []
    for d in history.documents:
        if d.cancelled or not d.booked or not year.start <= d.invoice_date <= as_of:
            continue
        what = "credit note" if d.credit or d.total < 0 else "invoice"
        out.append(
            Event(
                "document",
                f"{what} {d.number}",
                d.number,
                d.invoice_date,
                cents(d.total * d.currency_rate),
                (d.voucher.series, d.voucher.number) if d.voucher else None,
                d.counterparty.name or d.counterparty.number,
            )
        )
    for p in history.payments:
        doc = docs.get(p.document)
        if doc is None or doc.cancelled or not doc.booked or p.date < year.start:
            continue
        if p.date > year.end or doc.invoice_date > as_of:
            continue
        settled = p.amount + sum((w.amount for w in p.write_offs), ZERO)
        out.append(
            Event(
                "payment",
                f"payment {p.number} of {p.document}",
                p.document,
                p.date,
                -cents(settled * doc.currency_rate),
                (p.voucher.series, p.voucher.number) if p.voucher else None,
                doc.counterparty.name or doc.counterparty.number,
            )
        )
    return out


def pair_events(ledger: Ledger, events: list[Event]) -> None:
    """Pair events with ledger entries (``Event.matched``): by voucher reference, then by
    amount. Entries once paired are used up."""
    for e in events:
        if e.voucher is not None:
            entry = ledger.by_ref.get(e.voucher)
            if entry is not None:
                entry.used = True
                e.matched = entry
    free = [x for x in ledger.entries if not x.used]
    loose = [e for e in events if e.matched is None and e.voucher is None]
    # 1. one event, one entry, same amount and date
    index: dict[tuple[dt.date, Decimal], list[Entry]] = defaultdict(list)
    for x in free:
        index[(x.voucher.date, x.amount)].append(x)
    for e in loose:
        bucket = index.get((e.date, e.amount))
        while bucket and bucket[0].used:
            bucket.pop(0)
        if bucket:
            entry = bucket.pop(0)
            entry.used, e.matched = True, entry
    # 2. a day's payments booked together: the day's open payments and open entries agree
    per_day: dict[dt.date, list[Event]] = defaultdict(list)
    for e in loose:
        if e.matched is None and e.what == "payment":
            per_day[e.date].append(e)
    entries_of: dict[dt.date, list[Entry]] = defaultdict(list)
    for x in free:
        if not x.used:
            entries_of[x.voucher.date].append(x)
    for day, group in per_day.items():
        same_day = [x for x in entries_of.get(day, []) if not x.used]
        total = sum((e.amount for e in group), ZERO)
        if same_day and total == sum((x.amount for x in same_day), ZERO):
            for x in same_day:
                x.used = True
            for e in group:
                e.matched = same_day[0]
    # 3. the same amount on another date of the year (nearest first)
    by_amount: dict[Decimal, list[Entry]] = defaultdict(list)
    for x in free:
        by_amount[x.amount].append(x)
    for e in loose:
        if e.matched is not None:
            continue
        candidates = [x for x in by_amount.get(e.amount, []) if not x.used]
        if candidates:
            entry = min(candidates, key=lambda x: abs((x.voucher.date - e.date).days))
            entry.used, e.matched = True, entry


def name_causes(
    ledger: Ledger, events: list[Event], as_of: dt.date, default_account: str
) -> list[Cause]:
    """Every event on one side of the date in the subledger and on the other (or nowhere) in
    the ledger, and every entry up to the date paired with no event, as a :class:`Cause`."""
    causes: list[Cause] = []
    for e in events:
        entry = e.matched
        in_ledger = entry is not None and entry.voucher.date <= as_of
        in_subledger = e.date <= as_of
        account = entry.account if entry is not None else default_account
        e.account = account
        if in_ledger == in_subledger or e.amount == 0:
            continue
        if entry is not None:
            booked = f"{entry.ref} dated {entry.voucher.date}"
            cause: CauseKind = (
                "payment_date_differs" if e.what == "payment" else "document_not_in_ledger"
            )
            text = (
                f"{e.ref} ({e.counterparty}) is dated {e.date} in the subledger, {booked} in "
                "the ledger"
            )
        elif e.what == "payment":
            cause = "payment_not_in_ledger"
            ref = f" (its voucher {e.voucher[0]} {e.voucher[1]})" if e.voucher else ""
            text = f"{e.ref} ({e.counterparty}) of {e.date}{ref} is not in the ledger up to {as_of}"
        else:
            cause = "document_not_in_ledger"
            ref = f"its voucher {e.voucher[0]} {e.voucher[1]}" if e.voucher else "no voucher"
            text = f"{e.ref} ({e.counterparty}) of {e.date}: {ref} in the ledger up to {as_of}"
            if e.voucher is None:
                text = (
                    f"{e.ref} ({e.counterparty}) of {e.date} has no voucher, and none on the "
                    "control accounts matches it"
                )
        amount = e.amount if in_ledger else -e.amount
        causes.append(
            Cause(
                cause=cause,
                account=account,
                reference=e.ref,
                date=e.date,
                amount=amount,
                text=text,
            )
        )
    for x in ledger.entries:
        if x.used or x.voucher.date > as_of or x.amount == 0:
            continue
        causes.append(
            Cause(
                cause="ledger_without_document",
                account=x.account,
                reference=x.ref,
                date=x.voucher.date,
                amount=x.amount,
                text=(
                    f"voucher {x.ref} of {x.voucher.date} ({x.voucher.text or 'no text'}) has no "
                    "invoice or payment of the subledger behind it"
                ),
            )
        )
    return causes
