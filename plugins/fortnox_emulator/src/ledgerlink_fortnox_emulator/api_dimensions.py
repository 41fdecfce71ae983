"""Cost centres and projects: the registers behind voucher rows' ``CostCenter`` and ``Project``.

Seeded from the seed bookkeeping's dimension 1 (cost centres) and 6 (projects) objects, read
with the ``costcenter`` and ``project`` scopes, paged like every list. A client needs them to
check rows before it posts, since ``POST /3/vouchers`` refuses unknown or inactive objects.
Both registers answer the same way, so one table describes them and one pair of handlers
serves them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ledgerlink_fortnox_emulator.errors import not_found
from ledgerlink_fortnox_emulator.routing import Context, Request, Response, Router, register_page
from ledgerlink_fortnox_emulator.state import EmulatorState

router = Router()


def _costcenter_json(ctx: Context, req: Request, code: str) -> dict[str, Any]:
    return {
        "@url": f"{req.base_url}/3/costcenters/{code}",
        "Active": code not in ctx.state.inactive_costcenters,
        "Code": code,
        "Description": ctx.state.costcenters[code] or code,
        "Note": "",
    }


def _project_json(ctx: Context, req: Request, number: str) -> dict[str, Any]:
    return {
        "@url": f"{req.base_url}/3/projects/{number}",
        "Description": (ctx.state.projects[number] or number)[:50],
        "ProjectLeader": "",
        "ProjectNumber": number,
        "Status": ctx.state.project_status.get(number, "ONGOING"),
    }


@dataclass(frozen=True)
class _Register:
    """One register: its resource, scope, envelope keys, entries and item shape."""

    resource: str
    scope: str
    plural: str
    single: str
    param: str
    missing: tuple[int, str]
    entries: Callable[[EmulatorState], dict[str, str]]
    render: Callable[[Context, Request, str], dict[str, Any]]


def _list(register: _Register, ctx: Context, req: Request) -> Response:
    entries = register.entries(ctx.state)
    return register_page(
        ctx, req, register.plural, entries, lambda code: register.render(ctx, req, code)
    )


def _one(register: _Register, ctx: Context, req: Request) -> Response:
    code = req.params[register.param]
    with ctx.state.lock:
        if code not in register.entries(ctx.state):
            raise not_found(*register.missing)
        return Response(200, {register.single: register.render(ctx, req, code)})


_REGISTERS = (
    _Register(
        "costcenters",
        "costcenter",
        "CostCenters",
        "CostCenter",
        "Code",
        (2000602, "Kan inte hitta kostnadsstället."),
        lambda state: state.costcenters,
        _costcenter_json,
    ),
    _Register(
        "projects",
        "project",
        "Projects",
        "Project",
        "ProjectNumber",
        (2001161, "Kan inte hitta projektet."),
        lambda state: state.projects,
        _project_json,
    ),
)

for _register in _REGISTERS:
    router.add("GET", f"/3/{_register.resource}", _register.scope)(partial(_list, _register))
    router.add("GET", f"/3/{_register.resource}/{{{_register.param}}}", _register.scope)(
        partial(_one, _register)
    )
