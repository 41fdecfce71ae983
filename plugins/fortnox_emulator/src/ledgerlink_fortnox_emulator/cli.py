"""``ledgerlink fortnox emulator``: run the emulator in the foreground until Ctrl-C.

The plugin hook imports this module whenever the CLI lists its commands (``ledgerlink --help``
too), so the server is imported only when the command runs.
"""

from __future__ import annotations

import datetime as dt
import errno
import threading
from pathlib import Path

import click

#: The ranges of the numeric options (the settings' own, ``config.SETTING_BOUNDS``, checked
#: again when the configuration is built; kept here so listing commands imports no emulator).
_RATE = click.FloatRange(0.0, 1.0)
_SECONDS = click.FloatRange(min=0.0)
_COUNT = click.IntRange(min=0)
_POSITIVE = click.IntRange(min=1)


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8686,
    show_default=True,
    help="Port (0: any free).",
)
@click.option(
    "--seed",
    "seed_sie",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="SIE file to seed the company from (default: the bundled example company).",
)
@click.option(
    "--latency", type=_SECONDS, default=0.0, show_default=True, help="Seconds per request."
)
@click.option(
    "--rate-limit", type=_POSITIVE, default=25, show_default=True, help="Requests per window."
)
@click.option(
    "--rate-window", type=_SECONDS, default=5.0, show_default=True, help="Window, seconds."
)
@click.option(
    "--token-lifetime", type=_SECONDS, default=3600.0, show_default=True, help="Access token, s."
)
@click.option("--error-5xx-rate", type=_RATE, default=0.0, show_default=True)
@click.option("--error-429-rate", type=_RATE, default=0.0, show_default=True)
@click.option("--timeout-rate", type=_RATE, default=0.0, show_default=True)
@click.option("--drop-before-commit-rate", type=_RATE, default=0.0, show_default=True)
@click.option("--drop-after-commit-rate", type=_RATE, default=0.0, show_default=True)
@click.option("--fault-seed", type=int, default=0, show_default=True, help="Seed of all draws.")
@click.option("--customer-invoices", type=_COUNT, default=None, help="Pad to this many.")
@click.option("--supplier-invoices", type=_COUNT, default=None, help="Pad to this many.")
@click.option("--synthetic-vouchers", type=_COUNT, default=0, show_default=True)
@click.option(
    "--redirect-uri",
    "redirect_uris",
    multiple=True,
    help="A registered redirect URI (repeatable; matched exactly). Default: "
    "http://127.0.0.1:47865/callback, ledgerlink's default.",
)
@click.option(
    "--tenants",
    type=_POSITIVE,
    default=1,
    show_default=True,
    help="How many companies to serve (each its own data, tokens and rate window).",
)
@click.option(
    "--login-tenant",
    default=None,
    help="The company the test user approves at login (tenant id or org nr; default the first; "
    'POST /_emulator/config {"login_tenant": ...} changes it while running).',
)
@click.option(
    "--locked-until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Lock the bookkeeping up to this date.",
)
def emulator_command(
    host: str,
    port: int,
    seed_sie: Path | None,
    latency: float,
    rate_limit: int,
    rate_window: float,
    token_lifetime: float,
    error_5xx_rate: float,
    error_429_rate: float,
    timeout_rate: float,
    drop_before_commit_rate: float,
    drop_after_commit_rate: float,
    fault_seed: int,
    customer_invoices: int | None,
    supplier_invoices: int | None,
    synthetic_vouchers: int,
    redirect_uris: tuple[str, ...],
    locked_until: dt.datetime | None,
    tenants: int,
    login_tenant: str | None,
) -> None:
    """Run a local Fortnox emulator (OAuth2 and API v3) until Ctrl-C. No credentials needed.

    \b
    Examples:
      ledgerlink fortnox emulator
      ledgerlink fortnox emulator --port 0 --latency 0.05
    """
    from ledgerlink_fortnox_emulator import server
    from ledgerlink_fortnox_emulator.config import EmulatorConfig
    from ledgerlink_fortnox_emulator.seed import load_bookkeeping

    try:
        config = EmulatorConfig(
            seed_sie=seed_sie,
            latency=latency,
            rate_limit_requests=rate_limit,
            rate_limit_window=rate_window,
            access_token_lifetime=token_lifetime,
            error_5xx_rate=error_5xx_rate,
            error_429_rate=error_429_rate,
            timeout_rate=timeout_rate,
            drop_before_commit_rate=drop_before_commit_rate,
            drop_after_commit_rate=drop_after_commit_rate,
            seed=fault_seed,
            customer_invoices=customer_invoices,
            supplier_invoices=supplier_invoices,
            synthetic_vouchers=synthetic_vouchers,
            locked_until=locked_until.date() if locked_until else None,
            tenants=tenants,
            login_tenant=login_tenant,
        )
    except ValueError as err:  # a range the options do not check themselves
        raise click.UsageError(str(err)) from None
    if redirect_uris:
        config.redirect_uris = tuple(redirect_uris)
    book = load_bookkeeping(seed_sie)  # an unusable seed: core's InputError, naming the file
    try:
        emu = server.start_emulator(config, host, port, book=book)
    except OSError as err:
        raise _listen_error(err, host, port) from None
    years = ", ".join(f"{y.id}: {y.start}..{y.end}" for y in emu.state.years)
    click.echo(f"Fortnox emulator for {emu.state.company.name!r} (fiscal years {years})")
    click.echo(f"  API:     {emu.api_base}")
    click.echo(f"  OAuth:   {emu.oauth_base}  (auth, token, revoke; the test user approves)")
    click.echo(f"  State:   {emu.base_url}/_emulator/state")
    click.echo(f"  Test client id:     {config.client_id}")
    click.echo(f"  Test client secret: {config.client_secret}   (emulator only)")
    if tenants > 1:
        approves = config.login_tenant or "the first"
        click.echo(f"  Companies ({tenants}; the login approves {approves}):")
        for row in emu.app.tenants_summary():
            click.echo(f"    {row['org_nr']}  tenant {row['tenant_id']}  {row['company']}")
    else:
        click.echo(f"  Tenant id (for client credentials): {config.tenant_id}")
    click.echo(f"  Redirect URI(s), matched exactly: {', '.join(config.redirect_uris)}")
    click.echo("Point ledgerlink at it:")
    click.echo(f"  export LEDGERLINK_FORTNOX__BASE_URL={emu.base_url}")
    click.echo(f"  export LEDGERLINK_FORTNOX__OAUTH_URL={emu.oauth_base}")
    click.echo(f"  export LEDGERLINK_FORTNOX__CLIENT_ID={config.client_id}")
    click.echo(f"  export LEDGERLINK_FORTNOX__CLIENT_SECRET={config.client_secret}")
    click.echo("Ctrl-C stops it.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        emu.stop()


def _listen_error(err: OSError, host: str, port: int) -> click.BadParameter:
    """A one-line usage error for a socket the emulator cannot listen on, naming the option
    at fault: the port when it is taken or privileged, else the host."""
    reason = err.strerror or str(err)
    if err.errno == errno.EADDRINUSE:
        return click.BadParameter(
            f"port {port} on {host} is already in use; choose another, or --port 0 for any "
            "free port",
            param_hint="'--port'",
        )
    if err.errno == errno.EACCES:
        return click.BadParameter(
            f"cannot listen on port {port} of {host}: {reason} (a port below 1024 needs "
            "privileges; --port 0 picks a free one)",
            param_hint="'--port'",
        )
    return click.BadParameter(f"cannot listen on {host}:{port}: {reason}", param_hint="'--host'")
