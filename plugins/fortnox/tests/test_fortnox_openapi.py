"""What the backend reads from the emulator has the shapes of Fortnox's OpenAPI document.

Validated where the spec is accurate (PROVENANCE.md lists its gaps): list items and single
objects against their component schemas; ``MetaInformation`` against its own schema (the list
wrappers omit it); JSON nulls are dropped first (the spec declares no ``nullable``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "fortnox-openapi" / "openapi.json"

jsonschema = pytest.importorskip("jsonschema")


@cache
def _spec() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"the Fortnox OpenAPI document is not at {SPEC}")
    data: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return data


#: Fields where the emulator knowingly differs from the spec's type (none at present).
KNOWN_DEVIATIONS: dict[str, set[str]] = {}


def _validate(instance: Any, schema_name: str) -> None:
    spec = _spec()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    skip = KNOWN_DEVIATIONS.get(schema_name, set())
    checked = {k: v for k, v in instance.items() if k not in skip}
    jsonschema.validate(_drop_nulls(checked), schema)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


CASES = [
    ("financialyears", "FinancialYears", "fortnox_FinancialYear"),
    ("invoices", "Invoices", "fortnox_InvoiceListItem"),
    ("supplierinvoices", "SupplierInvoices", "fortnox_SupplierInvoiceListItem"),
    ("invoicepayments", "InvoicePayments", "fortnox_InvoicePaymentListItem"),
    (
        "supplierinvoicepayments",
        "SupplierInvoicePayments",
        "fortnox_SupplierInvoicePaymentListItem",
    ),
]


@pytest.mark.parametrize(("path", "key", "schema"), CASES)
def test_lists_match_the_spec(emulator: Any, path: str, key: str, schema: str) -> None:
    token = emulator.issue_tokens()["access_token"]
    response = httpx.get(
        f"{emulator.api_base}/{path}",
        params={"limit": 50},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body = response.json()
    _validate(body["MetaInformation"], "fortnox_MetaInformation")
    assert body[key], f"the emulator has no {key} to check"
    for item in body[key]:
        _validate(item, schema)


@pytest.mark.parametrize(
    ("path", "key", "schema"),
    [
        ("companyinformation", "CompanyInformation", "fortnox_CompanyInfo"),
        ("invoices/{customer}", "Invoice", "fortnox_Invoice"),
        ("supplierinvoices/{supplier}", "SupplierInvoice", "fortnox_SupplierInvoice"),
    ],
)
def test_single_objects_match_the_spec(emulator: Any, path: str, key: str, schema: str) -> None:
    token = emulator.issue_tokens()["access_token"]
    numbers = {kind: next(iter(emulator.state.invoices[kind])) for kind in emulator.state.invoices}
    response = httpx.get(
        f"{emulator.api_base}/{path.format(**numbers)}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    _validate(response.json()[key], schema)


def test_file_connections_match_the_spec(emulator_factory: Any) -> None:
    emu = emulator_factory(attached_files=5)
    token = emu.issue_tokens()["access_token"]
    year = emu.state.default_year().id
    response = httpx.get(
        f"{emu.api_base}/voucherfileconnections",
        params={"financialyear": year, "voucheryear": year},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body = response.json()
    _validate(body["MetaInformation"], "fortnox_MetaInformation")
    assert len(body["VoucherFileConnections"]) == 5
    for item in body["VoucherFileConnections"]:
        _validate(item, "fortnox_VoucherFileConnection")
