"""Subledgers against the general ledger: a reconciliation that explains every difference.

For each kind of subledger the control accounts' balance at a date (opening balance plus every
voucher row up to and including the date) is set beside the sum of the subledger items open on
that date, account by account. Supplier balances are credit balances, so their ledger side is
shown with the sign turned (a positive number is money owed).

The difference is broken down into named causes, each with the voucher or document behind it
(:class:`Cause`): ledger vouchers on a control account with no invoice or payment behind them
(a manual voucher such as ``A 54``), documents whose voucher the ledger lacks, payments the
ledger has on another date than the subledger, payments the ledger lacks; what the causes do
not account for is ``unexplained``. Items not in the ledger by design (cash method: to be
booked at closing) are listed beside the comparison, not counted as a difference, and so are
the accounts BAS keeps outside the subledger (1518, 1519, 2448). With closing rates, foreign
open items are revalued and the unrealised exchange difference is given per currency.

Matching: a document or payment carrying a voucher reference is matched by it; one without is
matched by amount on the control accounts (the same date first, then a day's payments
together, then any date in the year).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.errors import InputError
from ledgerlink_core.model import (
    Amount,
    Bookkeeping,
    ControlAccounts,
    FiscalYear,
    SubledgerHistory,
    SubledgerItem,
    Voucher,
)
from ledgerlink_core.openitems import LeftOut, OpenItems

__all__ = [
    "AGING",
    "BAS_BESIDE",
    "DEFAULT_RANGES",
    "AccountBalance",
    "AccountLine",
    "AccountRange",
    "AgingBucket",
    "AppendixRow",
    "Cause",
    "OpenItem",
    "ReconcileLine",
    "ReconcileReport",
    "Revaluation",
    "ToBook",
    "appendix_rows",
    "ledger_balances",
    "parse_ranges",
    "parse_rates",
    "reconcile",
    "reconcile_line",
]

Kind = Literal["customer", "supplier"]
CauseKind = Literal[
    "ledger_without_document",
    "document_not_in_ledger",
    "payment_date_differs",
    "payment_not_in_ledger",
]
ZERO = Decimal("0.00")  # amounts in reports keep two decimals, as in JSON
CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


class AccountRange(BaseModel):
    """Control accounts of one subledger: ``first``..``last`` inclusive (account numbers)."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    first: str
    last: str

    def __contains__(self, account: object) -> bool:
        return (
            isinstance(account, str)
            and len(account) == len(self.first)
            and self.first <= account <= self.last
        )

    def __str__(self) -> str:
        return f"{self.first}-{self.last}" if self.first != self.last else self.first


#: BAS: the accounts the subledgers are booked on, used when the backend names none.
DEFAULT_RANGES: tuple[AccountRange, ...] = (
    AccountRange(kind="customer", first="1510", last="1517"),
    AccountRange(kind="supplier", first="2440", last="2447"),
)
#: BAS accounts of the same groups that are by definition not in the subledger: shown on lines
#: of their own, never counted as a difference.
BAS_BESIDE: dict[str, dict[str, str]] = {
    "customer": {
        "1518": "not in the subledger by BAS (ej reskontraförda kundfordringar)",
        "1519": "not in the subledger by BAS (nedskrivning av kundfordringar)",
    },
    "supplier": {"2448": "not in the subledger by BAS (ej reskontraförda leverantörsskulder)"},
}
_GROUP = {"customer": "151", "supplier": "244"}


def parse_ranges(specs: Iterable[str]) -> tuple[AccountRange, ...]:
    """``customer=1510-1517`` (or ``supplier=2440``) into ranges, only for the kinds named.
    A malformed spec is an :class:`InputError`."""
    chosen: dict[Kind, AccountRange] = {}
    for spec in specs:
        kind, sep, span = spec.partition("=")
        kind = kind.strip()
        first, _, last = span.strip().partition("-")
        last = last or first
        if (
            not sep
            or kind not in ("customer", "supplier")
            or not (first.isdigit() and last.isdigit())
            or len(first) != len(last)
            or first > last
        ):
            raise InputError(
                f"--accounts expects customer=FIRST-LAST or supplier=FIRST-LAST, got {spec!r}"
            )
        kind_: Kind = "customer" if kind == "customer" else "supplier"
        chosen[kind_] = AccountRange(kind=kind_, first=first, last=last)
    return tuple(chosen[k] for k in ("customer", "supplier") if k in chosen)


def parse_rates(specs: Iterable[str]) -> dict[str, Decimal]:
    """``EUR=11.0512`` (SEK per unit, a decimal point or comma) into ``{"EUR": 11.0512}``.
    A malformed spec is an :class:`InputError`."""
    rates: dict[str, Decimal] = {}
    for spec in specs:
        code, sep, value = spec.partition("=")
        code = code.strip().upper()
        try:
            rate = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            rate = Decimal(0)
        if not sep or len(code) != 3 or not code.isalpha() or not rate.is_finite() or rate <= 0:
            raise InputError(
                f"--rate expects CUR=RATE (SEK per unit, e.g. EUR=11.0512), got {spec!r}"
            )
        rates[code] = rate
    return rates


class AccountBalance(BaseModel):
    """One account's ledger balance at the date (in the subledger's sign), and why it is
    shown when it is not counted."""

    model_config = ConfigDict(frozen=True)

    account: str
    name: str = ""
    balance: Amount
    note: str = ""


class AccountLine(BaseModel):
    """One control account of the comparison: a specification row of the closing appendix."""

    model_config = ConfigDict(frozen=True)

    account: str
    name: str = ""
    ledger: Amount
    subledger: Amount
    difference: Amount
    explained: Amount = ZERO
    unexplained: Amount = ZERO


class Cause(BaseModel):
    """One named part of a difference: ``amount`` is what it adds to ``ledger - subledger``."""

    model_config = ConfigDict(frozen=True)

    cause: CauseKind
    account: str
    reference: str
    """The voucher (``A 54``) or the document (``invoice 1042``) behind it."""
    date: dt.date
    amount: Amount
    text: str


class OpenItem(BaseModel):
    """One open item counted on a control account: a row of the account's specification."""

    model_config = ConfigDict(frozen=True)

    number: str
    counterparty: str
    invoice_date: dt.date
    due_date: dt.date | None = None
    account: str
    """The control account its voucher put it on (else the first control account)."""
    balance_sek: Amount
    currency: str = "SEK"
    balance: Amount
    overdue_days: int = 0
    """Days past due at the date (0 when not yet due or no due date)."""


#: Aging buckets of the open items by days overdue at the date: (label, lowest, highest).
AGING: tuple[tuple[str, int, int | None], ...] = (
    ("not due", 0, 0),
    ("1-30 days overdue", 1, 30),
    ("31-60 days overdue", 31, 60),
    ("61-90 days overdue", 61, 90),
    ("over 90 days overdue", 91, None),
)


class AgingBucket(BaseModel):
    """Open items overdue by a span of days (the ground for a bad-debt assessment)."""

    model_config = ConfigDict(frozen=True)

    label: str
    items: int
    balance_sek: Amount


class ToBook(BaseModel):
    """An open item the ledger does not carry by design (cash method): to book at closing."""

    model_config = ConfigDict(frozen=True)

    number: str
    counterparty: str
    invoice_date: dt.date
    balance_sek: Amount
    currency: str = "SEK"
    balance: Amount


class Revaluation(BaseModel):
    """Foreign open items of one currency at the closing rate (the year-end revaluation)."""

    model_config = ConfigDict(frozen=True)

    currency: str
    balance: Amount
    """The open items' balance in the currency."""
    booked_sek: Amount
    """The same at the invoices' own rates (what the ledger carries)."""
    closing_rate: Amount
    closing_sek: Amount
    difference: Amount
    """``closing_sek - booked_sek``: for customers a gain when positive, for suppliers a loss."""
    items: int


class ReconcileLine(BaseModel):
    """The comparison for one subledger."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    accounts: str
    """The control accounts counted, ``1510-1517`` or ``1510``."""
    accounts_source: str = "BAS"
    ledger: Amount
    """The control accounts' balance, in the subledger's sign (supplier debts positive)."""
    subledger: Amount
    """Sum of the booked open items' remaining balances in SEK."""
    difference: Amount
    """``ledger - subledger``."""
    open_items: int
    method: str = "accrual"
    per_account: tuple[AccountLine, ...] = ()
    causes: tuple[Cause, ...] = ()
    """The difference, explained (empty when there is none)."""
    unexplained: Amount = ZERO
    """What the causes do not account for."""
    beside: tuple[AccountBalance, ...] = ()
    """Accounts of the group not counted (1518, 1519, 2448...), with their balances."""
    specification: tuple[OpenItem, ...] = ()
    """The open items counted, account by account: what the subledger side is made of."""
    aging: tuple[AgingBucket, ...] = ()
    """The counted open items by days overdue at the date."""
    to_book: tuple[ToBook, ...] = ()
    """Not in the ledger: to be booked at closing (cash method)."""
    to_book_total: Amount = ZERO
    left_out: tuple[LeftOut, ...] = ()
    """Documents that are no open items though they might look like ones, and why."""
    revaluation: tuple[Revaluation, ...] = ()
    unvalued: tuple[str, ...] = ()
    """Currencies of open items not revalued because no closing rate was given."""

    @property
    def agrees(self) -> bool:
        """True when ledger and subledger are equal."""
        return self.difference == 0


class ReconcileReport(BaseModel):
    """Every subledger's comparison at one date."""

    model_config = ConfigDict(frozen=True)

    source: str
    date: dt.date
    lines: tuple[ReconcileLine, ...]

    @property
    def agrees(self) -> bool:
        """True when every subledger agrees with its control accounts."""
        return all(line.agrees for line in self.lines)


# --- the ledger side ----------------------------------------------------------------------------


Controls = AccountRange | ControlAccounts


def _counted(controls: Controls, account: str) -> bool:
    if isinstance(controls, AccountRange):
        return account in controls
    return account in controls.accounts


def _label(controls: Controls) -> str:
    if isinstance(controls, AccountRange):
        return str(controls)
    return ", ".join(controls.accounts)


def _year(book: Bookkeeping, as_of: dt.date) -> FiscalYear:
    year = next((y for y in book.fiscal_years if y.contains(as_of)), None)
    if year is None:
        years = ", ".join(f"{y.start}..{y.end}" for y in book.fiscal_years) or "none"
        raise InputError(f"{as_of} is outside every fiscal year of the bookkeeping ({years})")
    return year


def ledger_balances(book: Bookkeeping, accounts: Controls, as_of: dt.date) -> dict[str, Decimal]:
    """Balance per control account at ``as_of`` (debit positive): ``#IB`` of the year plus
    rows up to the date."""
    return _group_balances(book, as_of, lambda a: _counted(accounts, a))


def _group_balances(
    book: Bookkeeping, as_of: dt.date, wanted: Callable[[str], bool]
) -> dict[str, Decimal]:
    year = _year(book, as_of)
    balances: dict[str, Decimal] = {}
    for ib in book.opening_balances:
        if ib.year_index == year.index and wanted(ib.account):
            balances[ib.account] = balances.get(ib.account, ZERO) + ib.amount
    for voucher in book.vouchers:
        if not year.start <= voucher.date <= as_of:
            continue
        for row in voucher.rows:
            if wanted(row.account):
                balances[row.account] = balances.get(row.account, ZERO) + row.amount
    return {account: _cents(balance) for account, balance in balances.items()}


# --- matching subledger events with ledger vouchers ---------------------------------------------


@dataclass
class _Entry:
    """A ledger voucher's rows on the control accounts, in the subledger's sign."""

    voucher: Voucher
    amount: Decimal
    account: str
    used: bool = False

    @property
    def ref(self) -> str:
        return f"{self.voucher.series} {self.voucher.number}".strip()


@dataclass
class _Event:
    """A document or payment of the subledger as it should show on the control accounts."""

    what: Literal["document", "payment"]
    ref: str
    document: str
    date: dt.date
    amount: Decimal
    voucher: tuple[str, str] | None
    counterparty: str
    matched: _Entry | None = None
    account: str | None = None


@dataclass
class _Ledger:
    entries: list[_Entry] = field(default_factory=list)
    by_ref: dict[tuple[str, str], _Entry] = field(default_factory=dict)


def _ledger_entries(
    book: Bookkeeping, year: FiscalYear, controls: Controls, sign: Decimal
) -> _Ledger:
    ledger = _Ledger()
    for v in book.vouchers:
        if not year.contains(v.date):
            continue
        rows = [r for r in v.rows if _counted(controls, r.account)]
        if not rows:
            continue
        entry = _Entry(v, _cents(sign * sum((r.amount for r in rows), ZERO)), rows[0].account)
        ledger.entries.append(entry)
        ledger.by_ref[(v.series, v.number or "")] = entry
    return ledger


def _events(history: SubledgerHistory, year: FiscalYear, as_of: dt.date) -> list[_Event]:
    """The documents booked in the year up to the date and every payment registered in the
    year (after the date too: the ledger may have those earlier)."""
    docs = {d.number: d for d in history.documents}
    out: list[_Event] = []
    for d in history.documents:
        if d.cancelled or not d.booked or not year.start <= d.invoice_date <= as_of:
            continue
        what = "credit note" if d.credit or d.total < 0 else "invoice"
        out.append(
            _Event(
                "document",
                f"{what} {d.number}",
                d.number,
                d.invoice_date,
                _cents(d.total * d.currency_rate),
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
            _Event(
                "payment",
                f"payment {p.number} of {p.document}",
                p.document,
                p.date,
                -_cents(settled * doc.currency_rate),
                (p.voucher.series, p.voucher.number) if p.voucher else None,
                doc.counterparty.name or doc.counterparty.number,
            )
        )
    return out


def _match(ledger: _Ledger, events: list[_Event], as_of: dt.date) -> None:
    """Pair events with ledger entries: by voucher reference, then by amount."""
    for e in events:
        if e.voucher is not None:
            entry = ledger.by_ref.get(e.voucher)
            if entry is not None:
                entry.used = True
                e.matched = entry
    free = [x for x in ledger.entries if not x.used]
    loose = [e for e in events if e.matched is None and e.voucher is None]
    # 1. one event, one entry, same amount and date
    index: dict[tuple[dt.date, Decimal], list[_Entry]] = defaultdict(list)
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
    per_day: dict[dt.date, list[_Event]] = defaultdict(list)
    for e in loose:
        if e.matched is None and e.what == "payment":
            per_day[e.date].append(e)
    entries_of: dict[dt.date, list[_Entry]] = defaultdict(list)
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
    by_amount: dict[Decimal, list[_Entry]] = defaultdict(list)
    for x in free:
        by_amount[x.amount].append(x)
    for e in loose:
        if e.matched is not None:
            continue
        candidates = [x for x in by_amount.get(e.amount, []) if not x.used]
        if candidates:
            entry = min(candidates, key=lambda x: abs((x.voucher.date - e.date).days))
            entry.used, e.matched = True, entry


def _causes(
    ledger: _Ledger, events: list[_Event], as_of: dt.date, default_account: str
) -> list[Cause]:
    causes: list[Cause] = []
    for e in events:
        entry = e.matched
        in_ledger = entry is not None and entry.voucher.date <= as_of
        in_subledger = e.date <= as_of
        account = entry.account if entry is not None else default_account
        e.account = account
        if in_ledger == in_subledger:
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


# --- currencies ---------------------------------------------------------------------------------


def _revalue(
    kind: str, items: Sequence[SubledgerItem], rates: Mapping[str, Decimal]
) -> tuple[tuple[Revaluation, ...], tuple[str, ...]]:
    foreign = [i for i in items if i.currency != "SEK"]
    if not rates:
        return (), tuple(sorted({i.currency for i in foreign}))
    for i in foreign:
        if i.currency not in rates:
            raise InputError(
                f"{kind} {'credit note' if i.credit else 'invoice'} {i.number} is open in "
                f"{i.currency}, which has no closing rate: add --rate {i.currency}=RATE"
            )
    out = []
    for currency in sorted({i.currency for i in foreign}):
        mine = [i for i in foreign if i.currency == currency]
        balance = sum((i.balance for i in mine), ZERO)
        booked = sum((i.balance_sek for i in mine), ZERO)
        closing = _cents(balance * rates[currency])
        out.append(
            Revaluation(
                currency=currency,
                balance=balance,
                booked_sek=booked,
                closing_rate=rates[currency],
                closing_sek=closing,
                difference=closing - booked,
                items=len(mine),
            )
        )
    return tuple(out), ()


def _aging(items: Sequence[OpenItem]) -> tuple[AgingBucket, ...]:
    out = []
    for label, low, high in AGING:
        mine = [
            i for i in items if i.overdue_days >= low and (high is None or i.overdue_days <= high)
        ]
        out.append(
            AgingBucket(
                label=label, items=len(mine), balance_sek=sum((i.balance_sek for i in mine), ZERO)
            )
        )
    return tuple(out)


# --- the comparison -----------------------------------------------------------------------------


def reconcile_line(
    book: Bookkeeping,
    controls: Controls,
    found: OpenItems,
    history: SubledgerHistory,
    as_of: dt.date,
    rates: Mapping[str, Decimal] | None = None,
) -> ReconcileLine:
    """Compare one subledger with its control accounts and explain the difference."""
    kind: Kind = "customer" if found.kind == "customer" else "supplier"
    sign = Decimal(-1) if kind == "supplier" else Decimal(1)
    year = _year(book, as_of)
    names = book.account_map()
    group = _group_balances(book, as_of, lambda a: a.startswith(_GROUP[kind]))
    counted = {a: sign * b for a, b in group.items() if _counted(controls, a)}
    ledger_total = sum(counted.values(), ZERO)
    default = controls.first if isinstance(controls, AccountRange) else controls.accounts[0]

    ledger = _ledger_entries(book, year, controls, sign)
    events = _events(history, year, as_of)
    in_ledger: set[str] = set()
    if found.method == "cash":
        # Under the cash method a document reaches the control accounts only when it was
        # booked there anyway (a year-end booking of open invoices); the others were booked
        # on payment, off the control accounts, and so were their payments.
        documents = [e for e in events if e.what == "document"]
        _match(ledger, documents, as_of)
        in_ledger = {
            e.document for e in documents if e.matched and e.matched.voucher.date <= as_of
        } | {  # booked in an earlier year: carried in the opening balance
            d.number for d in history.documents if d.booked and d.invoice_date < year.start
        }
        events = [e for e in events if e.document in in_ledger]
    _match(ledger, events, as_of)
    causes = _causes(ledger, events, as_of, default)
    booked_items = [i for i in found.items if i.booked or i.number in in_ledger]
    subledger_total = sum((i.balance_sek for i in booked_items), ZERO)
    difference = ledger_total - subledger_total

    # Items per account: where the document's voucher put it, else the first control account.
    doc_account = {e.document: e.account for e in events if e.what == "document" and e.matched}
    per_sub: dict[str, Decimal] = defaultdict(Decimal)
    for i in booked_items:
        per_sub[doc_account.get(i.number) or default] += i.balance_sek
    per_cause: dict[str, Decimal] = defaultdict(Decimal)
    for c in causes:
        per_cause[c.account] += c.amount
    per_account = []
    for account in sorted(set(counted) | set(per_sub) | set(per_cause)):
        led, sub = counted.get(account, ZERO), per_sub.get(account, ZERO)
        explained = per_cause.get(account, ZERO)
        per_account.append(
            AccountLine(
                account=account,
                name=names[account].name if account in names else "",
                ledger=led,
                subledger=sub,
                difference=led - sub,
                explained=explained,
                unexplained=led - sub - explained,
            )
        )
    beside_notes, label = BAS_BESIDE[kind], _label(controls)
    beside = tuple(
        AccountBalance(
            account=a,
            name=names[a].name if a in names else "",
            balance=sign * b,
            note=beside_notes.get(a, f"not a control account of the subledger ({label})"),
        )
        for a, b in sorted({**dict.fromkeys(beside_notes, ZERO), **group}.items())
        if not _counted(controls, a) and (b != 0 or a in beside_notes)
    )
    to_book = tuple(
        ToBook(
            number=i.number,
            counterparty=i.counterparty.name or i.counterparty.number,
            invoice_date=i.invoice_date,
            balance_sek=i.balance_sek,
            currency=i.currency,
            balance=i.balance,
        )
        for i in found.items
        if not (i.booked or i.number in in_ledger)
    )
    specification = tuple(
        sorted(
            (
                OpenItem(
                    number=i.number,
                    counterparty=i.counterparty.name or i.counterparty.number,
                    invoice_date=i.invoice_date,
                    due_date=i.due_date,
                    account=doc_account.get(i.number) or default,
                    balance_sek=i.balance_sek,
                    currency=i.currency,
                    balance=i.balance,
                    overdue_days=max(0, (as_of - i.due_date).days) if i.due_date else 0,
                )
                for i in booked_items
            ),
            key=lambda o: (o.account, o.invoice_date, o.number),
        )
    )
    revaluation, unvalued = _revalue(kind, found.items, rates or {})
    explained = sum((c.amount for c in causes), ZERO)
    return ReconcileLine(
        kind=kind,
        accounts=_label(controls),
        accounts_source=(
            controls.source or "backend" if isinstance(controls, ControlAccounts) else "BAS"
        ),
        ledger=ledger_total,
        subledger=subledger_total,
        difference=difference,
        open_items=len(found.items),
        method=found.method,
        per_account=tuple(per_account),
        causes=tuple(causes) if difference != 0 or causes else (),
        unexplained=difference - explained,
        beside=beside,
        to_book=to_book,
        to_book_total=sum((t.balance_sek for t in to_book), ZERO),
        left_out=found.left_out,
        specification=specification,
        aging=_aging(specification),
        revaluation=revaluation,
        unvalued=unvalued,
    )


def reconcile(
    source: str,
    book: Bookkeeping,
    subledgers: Mapping[Kind, tuple[OpenItems, SubledgerHistory]],
    as_of: dt.date,
    controls: Mapping[Kind, Controls] | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> ReconcileReport:
    """Compare every subledger in ``subledgers`` (its open items and the history they came
    from) with its control accounts (``controls``; BAS for a kind not named)."""
    chosen: dict[Kind, Controls] = {r.kind: r for r in DEFAULT_RANGES}
    chosen.update(controls or {})
    _year(book, as_of)
    lines = [
        reconcile_line(book, chosen[kind], found, history, as_of, rates)
        for kind, (found, history) in subledgers.items()
    ]
    return ReconcileReport(source=source, date=as_of, lines=tuple(lines))


# --- the closing appendix as rows ---------------------------------------------------------------


class AppendixRow(BaseModel):
    """One row of the closing appendix (CSV, XLSX): ``amount`` in SEK, subledger sign."""

    model_config = ConfigDict(frozen=True)

    subledger: str
    section: str
    account: str = ""
    reference: str = ""
    date: dt.date | None = None
    text: str = ""
    amount: Amount | None = None
    currency: str = ""
    amount_currency: Amount | None = None


def appendix_rows(report: ReconcileReport) -> list[AppendixRow]:
    """The report flattened into specification rows, one subledger after the other."""
    rows: list[AppendixRow] = []
    for line in report.lines:

        def add(section: str, kind: str = line.kind, **values: object) -> None:
            rows.append(
                AppendixRow.model_validate({"subledger": kind, "section": section, **values})
            )

        for a in line.per_account:
            text = a.name
            add("ledger", account=a.account, date=report.date, text=text, amount=a.ledger)
            add("subledger", account=a.account, date=report.date, text=text, amount=a.subledger)
            add("difference", account=a.account, date=report.date, text=text, amount=a.difference)
        for item in line.specification:
            due = f", due {item.due_date}" if item.due_date else ""
            overdue = f", {item.overdue_days} days overdue" if item.overdue_days else ""
            add(
                "open_item",
                account=item.account,
                reference=item.number,
                date=item.invoice_date,
                text=f"{item.counterparty}{due}{overdue}",
                amount=item.balance_sek,
                currency=item.currency,
                amount_currency=item.balance,
            )
        for g in line.aging:
            add(
                "aging",
                reference=g.label,
                date=report.date,
                text=f"{g.items} open items",
                amount=g.balance_sek,
            )
        for c in line.causes:
            add(
                c.cause,
                account=c.account,
                reference=c.reference,
                date=c.date,
                text=c.text,
                amount=c.amount,
            )
        add("unexplained", account=line.accounts, date=report.date, amount=line.unexplained)
        for b in line.beside:
            add(
                "beside",
                account=b.account,
                date=report.date,
                text=f"{b.name}: {b.note}",
                amount=b.balance,
            )
        for t in line.to_book:
            add(
                "to_book_at_closing",
                reference=t.number,
                date=t.invoice_date,
                text=t.counterparty,
                amount=t.balance_sek,
                currency=t.currency,
                amount_currency=t.balance,
            )
        for r in line.revaluation:
            add(
                "revaluation",
                reference=r.currency,
                date=report.date,
                text=(
                    f"{r.items} open items at {r.closing_rate}: {r.closing_sek} SEK against "
                    f"{r.booked_sek} booked"
                ),
                amount=r.difference,
                currency=r.currency,
                amount_currency=r.balance,
            )
        for o in line.left_out:
            add(
                "left_out",
                reference=o.number,
                date=o.invoice_date,
                text=f"{o.counterparty}: {o.reason}",
                currency=o.currency,
                amount_currency=o.balance,
            )
    return rows
