"""The ``ledgerlink_*`` hooks that extension plugins may implement.

Extension plugins are modules (or objects) registered under the entry-point group
``ledgerlink.plugins``. Every installed plugin may contribute to every hook; core combines the
results. A hook implementation may accept any subset of the arguments listed here, so
arguments can be added later without breaking plugins.

Selecting *the* backend is not a hook: backends are classes in ``ledgerlink.backends``, picked
by name with stevedore (see :mod:`ledgerlink_core.registry`).

Style follows pytest's ``hookspec.py``: typed, prefixed, documented, grouped by banners.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click
    from pydantic import SecretStr

    from ledgerlink_core.capabilities import Capabilities
    from ledgerlink_core.model import Account, ExportReport, VoucherExport
    from ledgerlink_core.tokens import TokenStore

__all__ = [
    "hookimpl",
    "hookspec",
    "ledgerlink_cli_commands",
    "ledgerlink_export_finished",
    "ledgerlink_import_finished",
    "ledgerlink_resolve_secret",
    "ledgerlink_token_store",
    "ledgerlink_validate_export",
]

hookspec = pluggy.HookspecMarker("ledgerlink")
#: Decorate a plugin's hook implementations with this: ``@hookimpl def ledgerlink_...``.
hookimpl = pluggy.HookimplMarker("ledgerlink")

# --- CLI ----------------------------------------------------------------------------------------


@hookspec
def ledgerlink_cli_commands(cli: click.Group) -> None:
    """Add sub-commands or groups to the ``ledgerlink`` command line.

    :param cli: the root ``click.Group``; call ``cli.add_command(...)``.

    Called lazily, only when the CLI needs the list of commands. Import heavy modules inside
    the command functions, not at module import time. Core's own commands win a name clash.
    """


# --- configuration and credentials --------------------------------------------------------------


@hookspec(firstresult=True)
def ledgerlink_resolve_secret(backend: str, field: str) -> SecretStr | None:
    """Supply a secret setting that is missing from the command line, environment and config.

    :param backend: the backend's name, e.g. ``fortnox``.
    :param field: the settings field, e.g. ``client_secret``.
    :return: the secret, or None to let the next plugin answer (firstresult).

    This is how a keyring or password-manager plugin provides credentials.
    """


@hookspec(firstresult=True)
def ledgerlink_token_store(
    backend: str, config_dir: Path, connection: str | None
) -> TokenStore | None:
    """Provide where a backend's rotating OAuth tokens are kept.

    :param backend: the backend's name.
    :param config_dir: ledgerlink's configuration directory.
    :param connection: the company's key (its organisation number's digits, see
        :mod:`ledgerlink_core.connections`), or None for the single store a backend used
        before connections. An implementation must keep each connection's tokens apart.
    :return: a :class:`~ledgerlink_core.tokens.TokenStore`, or None to pass (firstresult).

    Core's built-in implementation (tried last) is a 0600 JSON file under
    ``<config_dir>/tokens/``: ``<backend>/<connection>.json``, or ``<backend>.json``.
    """


# --- export pipeline ----------------------------------------------------------------------------


@hookspec
def ledgerlink_validate_export(
    items: Sequence[VoucherExport],
    target: str,
    capabilities: Capabilities,
    chart: Sequence[Account] | None,
) -> list[str]:
    """Contribute validation problems before any voucher is written.

    :param items: the vouchers about to be exported.
    :param target: the target backend's name.
    :param capabilities: the target's declared capabilities.
    :param chart: the target's chart of accounts, or None when it accepts any account.
    :return: one message per problem, each naming the voucher it concerns; ``[]`` when fine.

    Every implementation's problems are reported together and nothing is written if any
    exist. Core's own checks (balance, empty vouchers, unknown accounts) run as well.
    """
    raise NotImplementedError  # a specification: implementations provide the body


@hookspec
def ledgerlink_export_finished(report: ExportReport) -> None:
    """Notification after an export run (audit log, webhook...).

    :param report: what happened to every voucher.

    Must not raise: core logs and ignores errors here, because a failing notification must
    not turn a successful export into a failure.
    """


@hookspec
def ledgerlink_import_finished(source: str, kind: str, summary: dict[str, int]) -> None:
    """Notification after an import run.

    Fired by the jobs in :mod:`ledgerlink_core.jobs`, so library callers trigger it as the
    CLI does: ``pull`` (``bookkeeping``), ``subledgers`` (``subledger``, once for all kinds)
    and ``reconcile`` (both, as it imports both).

    :param source: the backend imported from.
    :param kind: ``bookkeeping`` or ``subledger``.
    :param summary: counts, e.g. ``{"vouchers": 412, "accounts": 97}``.

    Must not raise: core logs and ignores errors here.
    """
