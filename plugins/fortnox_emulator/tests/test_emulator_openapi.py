"""Emulator answers validated against Fortnox's published OpenAPI schemas.

The schema of each answer is looked up in the spec by path, method and status, with its
``$ref``s resolved into ``components``. Known gaps of the spec (its PROVENANCE.md) are handled
openly, not skipped silently:

* list schemas leave out ``MetaInformation`` - harmless, they allow extra keys;
* ``fortnox_ErrorInformationWrap`` spells ``Error``/``Message``/``Code``, but real answers also
  use lower case: only capitalised error bodies are validated against it;
* ``GET /3/sie/{Type}`` declares only a 204: its body is bytes and is checked by the SIE tests;
* ``GET /3/inbox/{Id}`` declares only a byte stream, but answers a folder when ``Id`` is a
  folder id (as ``GET /3/inbox`` does): that answer is checked against ``fortnox_Folder_Wrap``;
* no schema says ``nullable`` (OpenAPI 3.0): fields the emulator sends as ``null`` (absent
  dates and voucher numbers, as Fortnox does) are dropped before validation;
* where recorded traffic contradicts the spec, the emulator follows the spec by default and
  the recorded shape is a knob (``invoice_list_rate_as_text``: the string ``"1"`` recorded in
  accodeing/fortnox-api's ``invoices/all.yml``); the recorded shape is not validated here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from emulator_helpers import bearer, voucher_body
from ledgerlink_fortnox_emulator import RunningEmulator

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "fortnox-openapi" / "openapi.json"

pytestmark = pytest.mark.skipif(
    not SPEC.is_file(), reason=f"Fortnox OpenAPI document not found at {SPEC}"
)


@cache
def _spec() -> dict[str, Any]:
    return dict(json.loads(SPEC.read_text(encoding="utf-8")))


def _schema(path: str, method: str, status: int) -> dict[str, Any]:
    responses = _spec()["paths"][path][method.lower()]["responses"]
    entry = responses.get(str(status)) or responses["default"]
    ref = entry["content"]["application/json"]["schema"]
    return {"$ref": ref["$ref"], "components": _spec()["components"]}


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _check(answer: httpx.Response, path: str, method: str = "GET") -> None:
    assert answer.status_code < 300, answer.text
    schema = _schema(path, method, answer.status_code)
    jsonschema.validate(_without_nulls(answer.json()), schema, cls=jsonschema.Draft4Validator)


@pytest.fixture
def api(small_emulator_factory: Any) -> Any:
    emu: RunningEmulator = small_emulator_factory(customer_invoices=20, supplier_invoices=20)
    with bearer(emu) as client:
        yield client


GETS = [
    ("/companyinformation", "/3/companyinformation"),
    ("/financialyears", "/3/financialyears"),
    ("/accounts", "/3/accounts"),
    ("/voucherseries", "/3/voucherseries"),
    ("/vouchers", "/3/vouchers"),
    ("/vouchers/sublist/A", "/3/vouchers/sublist/{VoucherSeries}"),
    ("/vouchers/B/1", "/3/vouchers/{VoucherSeries}/{VoucherNumber}"),
    ("/invoices", "/3/invoices"),
    ("/invoices/1001", "/3/invoices/{DocumentNumber}"),
    ("/supplierinvoices", "/3/supplierinvoices"),
    ("/supplierinvoices/1", "/3/supplierinvoices/{GivenNumber}"),
    ("/invoicepayments", "/3/invoicepayments"),
    ("/supplierinvoicepayments", "/3/supplierinvoicepayments"),
    ("/customers", "/3/customers"),
    ("/suppliers", "/3/suppliers"),
    ("/settings/lockedperiod", "/3/settings/lockedperiod"),
    ("/inbox", "/3/inbox"),
    ("/voucherfileconnections", "/3/voucherfileconnections"),
    ("/costcenters", "/3/costcenters"),
    ("/costcenters/100", "/3/costcenters/{Code}"),
    ("/projects", "/3/projects"),
    ("/projects/P1", "/3/projects/{ProjectNumber}"),
]


@pytest.mark.parametrize(("url", "path"), GETS, ids=[g[0] for g in GETS])
def test_get_answers_match_the_spec(api: httpx.Client, url: str, path: str) -> None:
    _check(api.get(url), path)


def test_single_resources_match_the_spec(api: httpx.Client) -> None:
    paths = _spec()["paths"]
    for url, path in [
        ("/financialyears/2", "/3/financialyears/{Id}"),
        ("/accounts/1510", "/3/accounts/{Number}"),
        ("/voucherseries/A", "/3/voucherseries/{Code}"),
    ]:
        if path in paths:
            _check(api.get(url), path)
    payment = api.get("/invoicepayments").json()["InvoicePayments"][0]["Number"]
    _check(api.get(f"/invoicepayments/{payment}"), "/3/invoicepayments/{Number}")


def test_writes_match_the_spec(api: httpx.Client) -> None:
    created = api.post("/vouchers", params={"financialyear": 2}, json=voucher_body())
    _check(created, "/3/vouchers", "POST")
    upload = api.post("/inbox", params={"path": "Inbox_v"}, files={"file": ("a.pdf", b"%PDF")})
    _check(upload, "/3/inbox", "POST")
    number = created.json()["Voucher"]["VoucherNumber"]
    connection = api.post(
        "/voucherfileconnections",
        params={"financialyear": 2},
        json={
            "VoucherFileConnection": {
                "FileId": upload.json()["File"]["Id"],
                "VoucherSeries": "A",
                "VoucherNumber": str(number),
            }
        },
    )
    _check(connection, "/3/voucherfileconnections", "POST")


def test_a_folder_by_id_matches_the_folder_schema(api: httpx.Client) -> None:
    api.post("/inbox", params={"path": "inbox_v"}, files={"file": ("a.pdf", b"%PDF")})
    folder = api.get("/inbox/inbox_v")
    assert folder.status_code == 200
    schema = {
        "$ref": "#/components/schemas/fortnox_Folder_Wrap",
        "components": _spec()["components"],
    }
    jsonschema.validate(folder.json(), schema, cls=jsonschema.Draft4Validator)


def test_capitalised_error_bodies_match_the_spec(api: httpx.Client) -> None:
    missing = api.get("/vouchers/A/999")
    assert missing.status_code == 404
    schema = _schema("/3/vouchers/{VoucherSeries}/{VoucherNumber}", "GET", 404)
    jsonschema.validate(missing.json(), schema, cls=jsonschema.Draft4Validator)
    # Lower-case bodies are real too (the spec's known gap); they carry the same three fields.
    lower = api.get("/invoices", params={"filter": "nope"}).json()["ErrorInformation"]
    assert set(lower) == {"error", "message", "code"}
