"""The ``ledgerlink fortnox`` command group: login, status and logout.

Other plugins may add commands to the group (``ledgerlink-fortnox-emulator`` adds
``emulator``), so :func:`fortnox_group` builds a new group for every command line instead of
handing out one shared, module-level object for them to change.
"""

from __future__ import annotations

import json

import click
from ledgerlink_core import ConfigError, Runtime, parse_assignments

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
    "--client-credentials",
    is_flag=True,
    help="Service account: get a token with client id, secret and tenant_id (no browser).",
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
    no_browser: bool, client_credentials: bool, timeout: float, assignments: tuple[str, ...]
) -> None:
    """Connect ledgerlink to a Fortnox company (log in and approve once).

    \b
    Examples:
      ledgerlink fortnox login
      ledgerlink fortnox login --no-browser
    """
    from ledgerlink_fortnox import login as flow

    runtime = _runtime()
    settings = _settings(runtime, assignments)
    store = runtime.token_store("fortnox")
    if client_credentials:
        data = flow.login_client_credentials(settings, store)
    else:
        data = flow.login(
            settings,
            store,
            open_browser=not no_browser,
            show=lambda line: click.echo(line, err=True),
            timeout=timeout,
        )
    scopes = data.get("scope") or "(none reported)"
    click.echo(f"Logged in to Fortnox ({data['grant']}); scopes: {scopes}")


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
    info = flow.status(runtime.token_store("fortnox"))
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
@set_option
def logout(assignments: tuple[str, ...]) -> None:
    """Forget the stored Fortnox tokens (and revoke them where Fortnox allows it).

    \b
    Example:
      ledgerlink fortnox logout
    """
    from ledgerlink_fortnox import login as flow

    runtime = _runtime()
    store = runtime.token_store("fortnox")
    with store.lock():
        data = store.load()
        store.delete()
    if data is None:
        click.echo("Not logged in to Fortnox; nothing to do.")
        return
    try:
        revoked = flow.revoke(_settings(runtime, assignments), data)
    except ConfigError:
        revoked = False  # no client credentials configured: deleting is all we can do
    if revoked:
        click.echo("Logged out: the Fortnox tokens are revoked and deleted.")
    else:
        click.echo(
            "Logged out: the Fortnox tokens are deleted. To revoke the integration itself, "
            "remove it under Integrations in Fortnox."
        )


def fortnox_group() -> click.Group:
    """A new ``ledgerlink fortnox`` group holding this plugin's commands."""
    return click.Group(
        "fortnox",
        commands=[login, status, logout],
        help="Fortnox: log in (OAuth2), show the login, log out.",
    )
