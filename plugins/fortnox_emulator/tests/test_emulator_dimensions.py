"""Cost centres (``/3/costcenters``, scope ``costcenter``) and projects (``/3/projects``, scope
``project``), seeded from the bookkeeping's dimension 1 and 6 objects and paged like every
list; an inactive cost centre is refused on a voucher row."""

from __future__ import annotations

import base64
import json

import httpx
from emulator_helpers import bearer, voucher_body
from ledgerlink_fortnox_emulator import ALL_SCOPES, RunningEmulator


def test_cost_centres_and_projects_come_from_the_seed(
    emulator: RunningEmulator, api: httpx.Client
) -> None:
    centres = api.get("/costcenters").json()
    assert centres["MetaInformation"]["@TotalResources"] == 3
    assert [(c["Code"], c["Description"], c["Active"]) for c in centres["CostCenters"]] == [
        ("100", "Försäljning", True),
        ("200", "Produktion", True),
        ("300", "Administration", True),
    ]
    projects = api.get("/projects").json()["Projects"]
    assert [(p["ProjectNumber"], p["Description"], p["Status"]) for p in projects] == [
        ("P1", "Projekt Älvsjö", "ONGOING"),
        ("P2", "Projekt Örebro", "ONGOING"),
        ("P3", "Ombyggnad Åre", "ONGOING"),
    ]
    assert sorted(emulator.state.costcenters) == ["100", "200", "300"]
    single = api.get("/costcenters/200").json()["CostCenter"]
    assert single["Code"] == "200" and single["@url"].endswith("/3/costcenters/200")
    assert api.get("/projects/P3").json()["Project"]["Description"] == "Ombyggnad Åre"
    for missing in ("/costcenters/999", "/projects/P9"):
        answer = api.get(missing)
        assert answer.status_code == 404
        assert set(answer.json()["ErrorInformation"]) == {"Error", "Message", "Code"}


def test_they_are_paged_like_every_list(api: httpx.Client) -> None:
    pages = [api.get("/projects", params={"limit": 2, "page": p}).json() for p in (1, 2)]
    assert [p["MetaInformation"]["@TotalPages"] for p in pages] == [2, 2]
    assert [x["ProjectNumber"] for p in pages for x in p["Projects"]] == ["P1", "P2", "P3"]


def test_they_need_their_own_scopes(emulator: RunningEmulator) -> None:
    assert {"costcenter", "project"} <= ALL_SCOPES <= emulator.config.granted_scopes
    default = emulator.issue_tokens()["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(default + "=" * (-len(default) % 4)))
    assert {"costcenter", "project"} <= set(claims["scope"].split())
    with bearer(emulator, "bookkeeping") as api:
        for path, scope in (("/costcenters", "costcenter"), ("/projects", "project")):
            denied = api.get(path)
            assert denied.status_code == 403
            assert scope in denied.json()["ErrorInformation"]["message"]
    with bearer(emulator, "costcenter project") as api:
        assert api.get("/costcenters").status_code == 200
        assert api.get("/projects").status_code == 200


def test_an_inactive_cost_centre_is_refused_on_a_voucher(small: RunningEmulator) -> None:
    small.state.set_costcenter("100", active=False)
    small.state.set_project("P1", status="COMPLETED")
    body = voucher_body()
    body["Voucher"]["VoucherRows"][0]["CostCenter"] = "100"
    with bearer(small) as api:
        assert api.get("/costcenters/100").json()["CostCenter"]["Active"] is False
        assert api.get("/projects/P1").json()["Project"]["Status"] == "COMPLETED"
        refused = api.post("/vouchers", json=body)
        assert refused.status_code == 400
        assert refused.json()["ErrorInformation"]["code"] == 2000947
        small.state.set_costcenter("100", active=True)
        assert api.post("/vouchers", json=body).status_code == 201
