"""Options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

set_option = click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="A backend setting for this run (repeatable); beats env and config file.",
)

company_option = click.option(
    "--company",
    metavar="ORGNR|ALIAS",
    default=None,
    envvar="LEDGERLINK_COMPANY",
    help="The company (connection) to work on, by organisation number or alias; needed when "
    "a backend has several (`ledgerlink connections` lists them).",
)
"""The global ``--company``: defined once here, applied to the ``ledgerlink`` group, and read
from the :class:`~ledgerlink_core.Runtime` (``runtime.company``) by every job reaching a
backend."""

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


class DateParam(click.ParamType):
    """A ``YYYY-MM-DD`` date."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date of the form YYYY-MM-DD", param, ctx)


DATE = DateParam()
