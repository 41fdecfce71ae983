"""Amounts for people: one format everywhere in the CLI's text output.

Three styles: ``en`` (``527,121.00``, the default), ``sv`` (``527 121,00``, Swedish practice)
and ``plain`` (``527121.00``, as in SIE and JSON). The style is, first found:
``LEDGERLINK_AMOUNTS``; ``amounts`` under ``[cli]`` in the config file (``ledgerlink config
set cli.amounts sv``); ``sv`` when the locale (``LC_ALL``, ``LC_NUMERIC``, ``LANG``) is
Swedish; else ``en``. JSON, CSV and XLSX are not affected: they carry amounts as data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import click

STYLES = ("en", "sv", "plain")
_META = "ledgerlink.amount_style"


def style_from(environ: Mapping[str, str], file_config: Mapping[str, Any]) -> str:
    """The style the environment and the config file ask for (see the module docstring)."""
    explicit = environ.get("LEDGERLINK_AMOUNTS")
    if explicit in STYLES:
        return explicit
    section = file_config.get("cli")
    if isinstance(section, Mapping) and section.get("amounts") in STYLES:
        return str(section["amounts"])
    for name in ("LC_ALL", "LC_NUMERIC", "LANG"):
        value = environ.get(name)
        if value:
            return "sv" if value.lower().startswith("sv") else "en"
    return "en"


def current_style() -> str:
    """The style of this invocation (worked out once, from its runtime)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return style_from(os.environ, {})
    root = ctx.find_root()
    found = root.meta.get(_META)
    if found is None:
        runtime = root.obj
        environ = getattr(runtime, "environ", os.environ)
        try:
            file_config = runtime.file_config if runtime is not None else {}
        except Exception:  # an unreadable config file is reported by the job, not here
            file_config = {}
        found = style_from(environ, file_config)
        root.meta[_META] = found
    return str(found)


def money(value: Decimal | int | None, style: str | None = None) -> str:
    """``value`` with two decimals (more only when it has more: nothing is rounded away) in
    the invocation's style; ``""`` for None."""
    if value is None:
        return ""
    style = style or current_style()
    amount = Decimal(value) + 0  # no minus zero
    exponent = amount.as_tuple().exponent
    places = f".{-exponent}f" if isinstance(exponent, int) and exponent < -2 else ".2f"
    if style == "plain":
        return format(amount, places)
    text = format(amount, "," + places)
    if style == "sv":
        return text.replace(",", " ").replace(".", ",")
    return text
