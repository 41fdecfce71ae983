"""Rules that need the whole file, shared by the full load and the streaming check."""

from __future__ import annotations

from collections.abc import Container, Mapping

from ledgerlink_core.sie.problems import Problems


def unknown_accounts(
    first_use: Mapping[str, int],
    chart: Container[str],
    has_chart: bool,
    sie_type: str,
    problems: Problems,
) -> None:
    """Report accounts used (in vouchers or balances) that have no ``#KONTO``.

    Only when the file has a chart at all. An error for SIE 1-3 and 4E ("every account used
    must be present"); a warning for 4I, where ``#KONTO`` is optional and the receiving program
    creates unknown accounts.
    """
    if not has_chart:
        return
    for account, line in first_use.items():
        if account in chart:
            continue
        message = f"account {account} is used but has no #KONTO in the file"
        if sie_type == "4I":
            problems.warn(line, "account-not-in-chart", message + " (allowed in SIE 4I)")
        else:
            problems.error(line, "account-not-in-chart", message)
