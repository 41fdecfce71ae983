"""The comparison of one subledger with its control accounts, and of every subledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from ledgerlink_core.errors import InputError
from ledgerlink_core.model import Bookkeeping, ControlAccounts, SubledgerHistory, SubledgerItem
from ledgerlink_core.openitems import OpenItems
from ledgerlink_core.reconcile.ledger import (
    Controls,
    controls_label,
    fiscal_year,
    group_balances,
    is_counted,
)
from ledgerlink_core.reconcile.matching import (
    control_entries,
    name_causes,
    pair_events,
    subledger_events,
)
from ledgerlink_core.reconcile.report import (
    AGING,
    BAS_BESIDE,
    BAS_GROUP,
    DEFAULT_RANGES,
    ZERO,
    AccountBalance,
    AccountLine,
    AccountRange,
    AgingBucket,
    Kind,
    OpenItem,
    ReconcileLine,
    ReconcileReport,
    Revaluation,
    ToBook,
    cents,
)

__all__ = [
    "reconcile",
    "reconcile_line",
]


def revaluation_of(
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
        closing = cents(balance * rates[currency])
        out.append(
            Revaluation(
                currency=currency,
                balance=balance,
                booked_sek=booked,
                closing_rate=rates[currency],
                closing_sek=closing,
                difference=closing - booked,
                effect=_effect(kind, closing - booked),
                items=len(mine),
            )
        )
    return tuple(out), ()


def _effect(kind: str, difference: Decimal) -> Literal["gain", "loss", "none"]:
    """A claim worth more, or a debt worth less, is a gain."""
    if difference == 0:
        return "none"
    return "gain" if (difference > 0) == (kind == "customer") else "loss"


def aging_of(items: Sequence[OpenItem]) -> tuple[AgingBucket, ...]:
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
    year = fiscal_year(book, as_of)
    names = book.account_map()
    group = group_balances(
        book, as_of, lambda a: a.startswith(BAS_GROUP[kind]) or is_counted(controls, a)
    )
    # + ZERO: a zero balance turned by the sign stays 0.00, never -0.00
    counted = {a: sign * b + ZERO for a, b in group.items() if is_counted(controls, a)}
    ledger_total = sum(counted.values(), ZERO)
    default = controls.first if isinstance(controls, AccountRange) else controls.accounts[0]

    ledger = control_entries(book, year, controls, sign)
    events = subledger_events(history, year, as_of)
    in_ledger: set[str] = set()
    if found.method == "cash":
        # Under the cash method a document reaches the control accounts only when it was
        # booked there anyway (a year-end booking of open invoices); the others were booked
        # on payment, off the control accounts, and so were their payments.
        documents = [e for e in events if e.what == "document"]
        pair_events(ledger, documents)
        in_ledger = {
            e.document for e in documents if e.matched and e.matched.voucher.date <= as_of
        } | {  # booked in an earlier year: carried in the opening balance
            d.number for d in history.documents if d.booked and d.invoice_date < year.start
        }
        events = [e for e in events if e.document in in_ledger]
    pair_events(ledger, events)
    causes = name_causes(ledger, events, as_of, default)
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
    beside_notes, label = BAS_BESIDE[kind], controls_label(controls)
    beside = tuple(
        AccountBalance(
            account=a,
            name=names[a].name if a in names else "",
            balance=sign * b + ZERO,
            note=beside_notes.get(a, f"not a control account of the subledger ({label})"),
        )
        for a, b in sorted({**dict.fromkeys(beside_notes, ZERO), **group}.items())
        if not is_counted(controls, a) and (b != 0 or a in beside_notes)
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
    revaluation, unvalued = revaluation_of(kind, found.items, rates or {})
    explained = sum((c.amount for c in causes), ZERO)
    return ReconcileLine(
        kind=kind,
        accounts=controls_label(controls),
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
        aging=aging_of(specification),
        contra_items=sum(1 for o in specification if o.balance_sek < 0),
        contra_total=sum((o.balance_sek for o in specification if o.balance_sek < 0), ZERO),
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
    fiscal_year(book, as_of)
    lines = [
        reconcile_line(book, chosen[kind], found, history, as_of, rates)
        for kind, (found, history) in subledgers.items()
    ]
    return ReconcileReport(source=source, date=as_of, lines=tuple(lines))
