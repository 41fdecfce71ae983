"""Cost centres and projects: the registers behind voucher rows' ``CostCenter`` and ``Project``.

Seeded from the seed bookkeeping's dimension 1 (cost centres) and 6 (projects) objects, read
with the ``costcenter`` and ``project`` scopes, paged like every list. A client needs them to
check rows before it posts, since ``POST /3/vouchers`` refuses unknown or inactive objects.
"""

from __future__ import annotations

from typing import Any

from ledgerlink_fortnox_emulator.errors import not_found
from ledgerlink_fortnox_emulator.routing import Context, Request, Response, Router, paged

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


@router.add("GET", "/3/costcenters", "costcenter")
def costcenters(ctx: Context, req: Request) -> Response:
    with ctx.state.lock:
        codes = sorted(ctx.state.costcenters)
    return paged(ctx, req, "CostCenters", codes, lambda c: _costcenter_json(ctx, req, c))


@router.add("GET", "/3/costcenters/{Code}", "costcenter")
def costcenter(ctx: Context, req: Request) -> Response:
    code = req.params["Code"]
    with ctx.state.lock:
        if code not in ctx.state.costcenters:
            raise not_found(2000602, "Kan inte hitta kostnadsstället.")
        return Response(200, {"CostCenter": _costcenter_json(ctx, req, code)})


@router.add("GET", "/3/projects", "project")
def projects(ctx: Context, req: Request) -> Response:
    with ctx.state.lock:
        numbers = sorted(ctx.state.projects)
    return paged(ctx, req, "Projects", numbers, lambda n: _project_json(ctx, req, n))


@router.add("GET", "/3/projects/{ProjectNumber}", "project")
def project(ctx: Context, req: Request) -> Response:
    number = req.params["ProjectNumber"]
    with ctx.state.lock:
        if number not in ctx.state.projects:
            raise not_found(2001161, "Kan inte hitta projektet.")
        return Response(200, {"Project": _project_json(ctx, req, number)})
