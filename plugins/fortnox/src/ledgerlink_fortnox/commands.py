"""The ``ledgerlink fortnox`` command group: login, status and logout.

Other plugins may add commands to the group (``ledgerlink-fortnox-emulator`` adds
``emulator``), so :func:`fortnox_group` builds a new group for every command line instead of
handing out one shared, module-level object for them to change.
"""

from __future__ import annotations

import contextlib
import json

import click
from ledgerlink_core import (
    AuthenticationError,
    ConfigError,
    LedgerlinkError,
    Runtime,
    parse_assignments,
)

from ledgerlink_fortnox.settings import FortnoxSettings

set_option = click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Fortnox setting for this run (repeatable); beats env and config file.",
)


def _runtime() -> Runtime:
    return click.get_current_context().ensure_object(Runtime)


def _settings(runtime: Runtime, assignments: tuple[str, ...]) -> FortnoxSettings:
    settings = runtime.backend_settings("fortnox", parse_assignments(assignments))
    assert isinstance(settings, FortnoxSettings)
    return settings


@click.command()
@click.option("--no-browser", is_flag=True, help="Print the login URL instead of opening it.")
@click.option(
    "--as",
    "alias",
    default=None,
    metavar="ALIAS",
    help="A short name for the company, for --company ALIAS.",
)
@click.option(
    "--service-account",
    is_flag=True,
    help="Approve as the company's system administrator with account_type=service; "
    "afterwards tokens come from client credentials (no refresh token, no browser).",
)
@click.option(
    "--client-credentials",
    is_flag=True,
    help="Service account whose consent exists: a token from client id, secret and "
    "tenant_id (no browser).",
)
@click.option(
    "--timeout",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds to wait for the approval.",
)
@set_option
def login(
    no_browser: bool,
    alias: str | None,
    service_account: bool,
    client_credentials: bool,
    timeout: float,
    assignments: tuple[str, ...],
) -> None:
    """Connect ledgerlink to a Fortnox company: adds a connection for the company you approve.

    Each company is its own connection, keyed by its organisation number (ledgerlink
    connections lists them); logging in again to the same company replaces only that one.

    \b
    Examples:
      ledgerlink fortnox login
      ledgerlink fortnox login --no-browser --as kund1
      ledgerlink fortnox login --service-account
    """
    from ledgerlink_core import Connection, MemoryTokenStore

    from ledgerlink_fortnox import login as flow

    runtime = _runtime()
    settings = _settings(runtime, assignments)
    if service_account and client_credentials:
        raise click.UsageError("choose one of --service-account and --client-credentials")
    _adopt_legacy_login(runtime, settings)
    fresh = MemoryTokenStore()
    if client_credentials:
        data = flow.login_client_credentials(settings, fresh)
    else:
        data = flow.login(
            settings,
            fresh,
            open_browser=not no_browser,
            show=lambda line: click.echo(line, err=True),
            timeout=timeout,
            service_account=service_account,
        )
    company = flow.identify(settings, fresh)
    data = fresh.load() or data
    if service_account:
        # The approval created the consent; from now on the company's tenant id and the
        # client credentials are the login. The code flow's refresh token is not needed.
        with contextlib.suppress(LedgerlinkError):
            flow.revoke(settings, data)
        data = flow.login_client_credentials(
            settings, fresh, tenant_id=company.database_number or None
        )
    data = {**data, "org_nr": company.org_nr, "company": company.name}
    if company.database_number:
        data.setdefault("tenant_id", company.database_number)
    conn = Connection("fortnox", company.org_nr, company.name, alias)
    runtime.connections.add(conn)  # refuses an alias another company has, before saving
    store = runtime.token_store("fortnox", connection=conn.key)
    with store.lock():
        store.save(data)
    scopes = data.get("scope") or "(none reported)"
    click.echo(f"Logged in to Fortnox ({data['grant']}): {conn.label()}; scopes: {scopes}")


def _adopt_legacy_login(runtime: Runtime, settings: FortnoxSettings) -> None:
    """Turn the single login from before connections (``tokens/fortnox.json``) into a
    connection keyed by the company it reaches; drop it when Fortnox refuses it."""
    from ledgerlink_core import Connection

    from ledgerlink_fortnox import login as flow

    index = runtime.connections
    legacy = runtime.legacy_token_store("fortnox")
    if index.listed("fortnox") or not legacy.load():
        return
    try:
        company = flow.identify(settings, legacy)
    except AuthenticationError:
        legacy.delete()
        click.echo(
            "note: the Fortnox login from before connections no longer works; removed it",
            err=True,
        )
        return
    except LedgerlinkError as exc:
        click.echo(
            f"note: could not tell which company the login from before connections reaches "
            f"({exc}); it stays in {index.legacy_path('fortnox')} and is used while there is "
            f"no other connection",
            err=True,
        )
        return
    data = legacy.load() or {}
    conn = Connection("fortnox", company.org_nr, company.name)
    store = runtime.token_store("fortnox", connection=conn.key)
    store.save({**data, "org_nr": company.org_nr, "company": company.name})
    index.add(conn)
    legacy.delete()
    click.echo(
        f"note: the login from before connections is now the connection {conn.label()}", err=True
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--check", is_flag=True, help="Also call Fortnox to confirm the login works.")
@set_option
def status(as_json: bool, check: bool, assignments: tuple[str, ...]) -> None:
    """Show whether ledgerlink is logged in to Fortnox, with which scopes, until when.

    Exits 4 when not logged in (as every command does without a login), so scripts can
    test it.

    \b
    Examples:
      ledgerlink fortnox status
      ledgerlink fortnox status --check --json
    """
    from ledgerlink_fortnox import login as flow

    runtime = _runtime()
    conn = runtime.connection("fortnox")
    info = flow.status(runtime.token_store("fortnox"))
    if conn is not None:
        info["org_nr"] = conn.org_nr
        info["alias"] = conn.alias
        info.setdefault("company", conn.company)
    if check and info["logged_in"]:
        with runtime.open_backend("fortnox", parse_assignments(assignments)) as backend:
            found = backend.check_connection()
        info["company"] = found.company
        info["detail"] = found.detail
    if as_json:
        click.echo(json.dumps(info, indent=2, sort_keys=True))
    elif not info["logged_in"]:
        click.echo("Not logged in to Fortnox; run `ledgerlink fortnox login`.")
    if not info["logged_in"]:
        raise click.exceptions.Exit(4)  # as an AuthenticationError: scripts can test the login
    if as_json:
        return
    click.echo(f"Logged in to Fortnox ({info['grant']})")
    if info.get("org_nr"):
        click.echo(f"  org nr:         {info['org_nr']}")
    if info.get("company"):
        click.echo(f"  company:        {info['company']} ({info.get('detail', '')})")
    click.echo(f"  scopes:         {' '.join(info['scopes']) or '(none reported)'}")
    valid = "valid" if info["access_token_valid"] else "expired, renewed on next use"
    click.echo(f"  access token:   {valid} until {info['access_token_expires_at']}")
    if info.get("refresh_token_expires_at"):
        click.echo(f"  login lasts to: {info['refresh_token_expires_at']} (renewed by each use)")
    if info.get("base_url"):
        click.echo(f"  api:            {info['base_url']}")


@click.command()
@click.option(
    "--company",
    "company",
    default=None,
    metavar="ORGNR|ALIAS",
    help="The connection to remove (needed when there are several).",
)
@set_option
def logout(company: str | None, assignments: tuple[str, ...]) -> None:
    """Remove one connection: forget its tokens (revoking them where Fortnox allows it).

    The other companies' connections stay.

    \b
    Example:
      ledgerlink fortnox logout --company 556677-8899
    """
    from ledgerlink_fortnox import login as flow

    runtime = _runtime()
    conn = runtime.connection("fortnox", company)
    store = (
        runtime.token_store("fortnox", connection=conn.key)
        if conn
        else runtime.legacy_token_store("fortnox")
    )
    with store.lock():
        data = store.load()
        store.delete()
    if conn is not None:
        runtime.connections.remove("fortnox", conn.org_nr)
    if data is None and conn is None:
        click.echo("Not logged in to Fortnox; nothing to do.")
        return
    what = f" of {conn.label()}" if conn else ""
    try:
        revoked = flow.revoke(_settings(runtime, assignments), data) if data else False
    except ConfigError:
        revoked = False  # no client credentials configured: deleting is all we can do
    if revoked:
        click.echo(f"Logged out: the Fortnox tokens{what} are revoked and deleted.")
    else:
        click.echo(
            f"Logged out: the Fortnox tokens{what} are deleted. To revoke the integration "
            f"itself, remove it under Integrations in Fortnox."
        )


def fortnox_group() -> click.Group:
    """A new ``ledgerlink fortnox`` group holding this plugin's commands."""
    return click.Group(
        "fortnox",
        commands=[login, status, logout],
        help="Fortnox: log in (OAuth2), show the login, log out.",
    )
