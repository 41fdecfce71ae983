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

The modules: ``report`` (the answer's models, BAS defaults, option parsers), ``ledger`` (the
control accounts' balances), ``matching`` (pairing documents and payments with vouchers, and
naming the causes), ``compare`` (the comparison) and ``appendix`` (the report as rows).
"""

from __future__ import annotations

from ledgerlink_core.reconcile.appendix import AppendixRow, appendix_rows
from ledgerlink_core.reconcile.compare import reconcile, reconcile_line
from ledgerlink_core.reconcile.ledger import ledger_balances
from ledgerlink_core.reconcile.report import (
    AGING,
    BAS_BESIDE,
    DEFAULT_RANGES,
    AccountBalance,
    AccountLine,
    AccountRange,
    AgingBucket,
    Cause,
    Kind,
    OpenItem,
    ReconcileLine,
    ReconcileReport,
    Revaluation,
    ToBook,
    parse_ranges,
    parse_rates,
)

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
    "Kind",
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
