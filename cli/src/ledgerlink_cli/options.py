"""Options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import click
import click.shell_completion

F = TypeVar("F", bound=Callable[..., Any])

set_option = click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="A backend setting for this run (repeatable); beats env and config file.",
)

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def complete_backends(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Shell completion of a backend name: the installed backends' entry points, none of
    them imported."""
    import importlib.metadata as md

    from click.shell_completion import CompletionItem

    names = sorted({ep.name for ep in md.entry_points(group="ledgerlink.backends")})
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


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
