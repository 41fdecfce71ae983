"""Two SIE files compared by value: vouchers added, removed and changed (matched by series
and number), balances moved, accounts, dimensions and objects added, removed or renamed.

Public API::

    diff_sie(old, new, *, old_name=None, new_name=None, on_read=None) -> DiffReport

It streams (``engine.py`` says how memory stays bounded by the differences). What counts as
equal: the same bookkeeping written differently (field order, quoting, encoding, line ends,
``100`` vs ``100.00``, row order, a ``transdat`` repeating the voucher date) is equal;
``rows.py`` says how rows are paired into added, removed and corrected, ``side.py`` how
vouchers without a number and repeated numbers are matched, ``balances.py`` what a missing
balance record counts as. The modules, one job each:

- ``report``: the report models;
- ``engine``: the lockstep pass over both files;
- ``side``: one file's reader, what is kept of it, and its vouchers' keys;
- ``seen``: the numbers a file has used, in little memory (repeated numbers);
- ``vouchers`` and ``rows``: two vouchers compared, and their rows paired;
- ``balances`` and ``chart``: balance records and names, collected and compared.
"""

from ledgerlink_core.diff.engine import diff_sie
from ledgerlink_core.diff.report import (
    BalanceChange,
    BalanceKind,
    DiffReport,
    DiffRow,
    DiffSummary,
    DuplicateVoucher,
    FieldChange,
    HistoryRow,
    NameChange,
    RowCorrection,
    SieFileSide,
    VoucherChange,
    VoucherDiffs,
    VoucherItem,
)

__all__ = [
    "BalanceChange",
    "BalanceKind",
    "DiffReport",
    "DiffRow",
    "DiffSummary",
    "DuplicateVoucher",
    "FieldChange",
    "HistoryRow",
    "NameChange",
    "RowCorrection",
    "SieFileSide",
    "VoucherChange",
    "VoucherDiffs",
    "VoucherItem",
    "diff_sie",
]
