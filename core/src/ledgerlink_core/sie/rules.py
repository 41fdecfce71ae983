"""Rules that need the whole file, shared by the full load and the streaming check."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from ledgerlink_core.sie.problems import Problems


def unknown_accounts(
    record_use: Mapping[str, int],
    voucher_use: Mapping[str, int],
    chart: Collection[str],
    sie_type: str,
    problems: Problems,
) -> None:
    """Report accounts used (in balance records or vouchers) that have no ``#KONTO``.

    ``record_use`` and ``voucher_use`` map an account to the line it is first used on; the
    earlier of the two is reported. Only when the file has a chart at all. An error for SIE
    1-3 and 4E ("every account used must be present"); a warning for 4I, where ``#KONTO`` is
    optional and the receiving program creates unknown accounts.
    """
    if not chart:
        return
    first_use = dict(record_use)
    for account, line in voucher_use.items():
        if line < first_use.get(account, line + 1):
            first_use[account] = line
    for account, line in first_use.items():
        if account in chart:
            continue
        message = f"account {account} is used but has no #KONTO in the file"
        if sie_type == "4I":
            problems.warn(line, "account-not-in-chart", message + " (allowed in SIE 4I)")
        else:
            problems.error(line, "account-not-in-chart", message)
