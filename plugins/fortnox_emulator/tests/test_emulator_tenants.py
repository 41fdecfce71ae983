"""Many companies in one emulator: own data, tokens and rate windows per tenant, the login
picking the company, client credentials only after a service-account consent."""

from __future__ import annotations

import httpx
from ledgerlink_fortnox_emulator import RunningEmulator
from ledgerlink_fortnox_emulator.config import luhn_digit
from ledgerlink_fortnox_emulator.fixtures import EmulatorFactory
from test_emulator_oauth import _code_tokens, _company, _token


def _get(emu: RunningEmulator, token: object, path: str) -> httpx.Response:
    return httpx.get(emu.api_base + path, headers={"Authorization": f"Bearer {token}"})


def test_each_tenant_is_its_own_company(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(tenants=3)
    ids = emu.tenant_ids
    assert ids == [emu.config.tenant_id + i for i in range(3)]
    seen = {}
    for tenant in ids:
        token = emu.issue_tokens(tenant=tenant)["access_token"]
        info = _company(emu, token).json()["CompanyInformation"]
        assert info["DatabaseNumber"] == tenant
        seen[info["OrganizationNumber"]] = info["CompanyName"]
    assert len(seen) == 3 and len(set(seen.values())) == 3
    for org in seen:
        digits = org.replace("-", "")
        assert len(digits) == 10 and int(digits[-1]) == luhn_digit(digits[:-1])
    # a voucher posted in one company is not in another
    second = emu.tenant_state(ids[1])
    assert emu.tenant_state(second.company.org_nr) is second
    before = [len(emu.tenant_state(t).vouchers()) for t in ids]
    token = emu.issue_tokens(tenant=ids[1])["access_token"]
    year = second.default_year()
    body = {
        "Voucher": {
            "VoucherSeries": "A",
            "TransactionDate": year.start.isoformat(),
            "Description": "Bara i klient 2",
            "VoucherRows": [
                {"Account": 1930, "Debit": 100, "Credit": 0},
                {"Account": 3001, "Debit": 0, "Credit": 100},
            ],
        }
    }
    posted = httpx.post(
        emu.api_base + "/vouchers", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert posted.status_code == 201, posted.text
    after = [len(emu.tenant_state(t).vouchers()) for t in ids]
    assert after == [before[0], before[1] + 1, before[2]]


def test_the_login_picks_the_company(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(tenants=3)
    third = emu.tenant_ids[2]
    emu.configure(login_tenant=emu.tenant_state(third).company.org_nr)
    tokens = _code_tokens(emu)
    assert (
        _company(emu, tokens["access_token"]).json()["CompanyInformation"]["DatabaseNumber"]
        == third
    )
    # a refresh stays in the company the user approved
    refreshed = _token(
        emu, {"grant_type": "refresh_token", "refresh_token": str(tokens["refresh_token"])}
    )
    assert refreshed.status_code == 200
    info = _company(emu, refreshed.json()["access_token"]).json()["CompanyInformation"]
    assert info["DatabaseNumber"] == third


def test_rate_window_and_requests_are_per_tenant(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(tenants=2, rate_limit_requests=5, rate_limit_window=60.0)
    one, two = (emu.issue_tokens(tenant=t)["access_token"] for t in emu.tenant_ids)
    assert [_get(emu, one, "/financialyears").status_code for _ in range(6)][-1] == 429
    assert _get(emu, two, "/financialyears").status_code == 200  # its own budget
    counts = [emu.tenant_state(t).request_counts() for t in emu.tenant_ids]
    assert (counts[0]["429"], counts[0]["total"], counts[1]["total"]) == (1, 6, 1)


def test_client_credentials_only_after_a_service_consent(
    small_emulator_factory: EmulatorFactory,
) -> None:
    emu = small_emulator_factory(tenants=2)
    first, second = emu.tenant_ids
    for tenant in (first, second):
        refused = _token(emu, {"grant_type": "client_credentials"}, TenantId=str(tenant))
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    emu.configure(login_tenant=second)
    _code_tokens(emu, account_type="service")
    ok = _token(emu, {"grant_type": "client_credentials"}, TenantId=str(second))
    assert ok.status_code == 200 and "refresh_token" not in ok.json()
    info = _company(emu, ok.json()["access_token"]).json()["CompanyInformation"]
    assert info["DatabaseNumber"] == second
    # the consent is the second company's only
    still = _token(emu, {"grant_type": "client_credentials"}, TenantId=str(first))
    assert still.status_code == 400
    summary = {row["tenant_id"]: row["service_consent"] for row in emu.app.tenants_summary()}
    assert summary == {first: False, second: True}


def test_revoke_and_outage_hit_one_tenant(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(tenants=3)
    a, b, c = emu.tenant_ids
    tokens = {t: emu.issue_tokens(tenant=t) for t in (a, b, c)}
    emu.revoke_tenant(b)
    emu.configure(tenant_outages=[c])
    assert _company(emu, tokens[a]["access_token"]).status_code == 200
    assert _company(emu, tokens[b]["access_token"]).status_code == 401
    again = _token(
        emu, {"grant_type": "refresh_token", "refresh_token": str(tokens[b]["refresh_token"])}
    )
    assert again.status_code == 400
    assert _company(emu, tokens[c]["access_token"]).status_code == 503
    listing = httpx.get(emu.base_url + "/_emulator/tenants").json()["tenants"]
    assert [row["tenant_id"] for row in listing] == [a, b, c]
