"""Charts of accounts per fiscal year: ``GET /3/accounts?financialyear=`` serves that year's
chart, and ``POST /3/vouchers`` checks every row against the chart of the voucher's own year
(unknown or inactive account, cost centre and project settings, unknown objects)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from emulator_helpers import bearer, voucher_body
from ledgerlink_fortnox_emulator import AccountSetting, RunningEmulator

EmulatorFactory = Callable[..., RunningEmulator]


def _chart(api: httpx.Client, **params: Any) -> dict[int, dict[str, Any]]:
    body = api.get("/accounts", params={**params, "limit": 500}).json()
    return {a["Number"]: a for a in body["Accounts"]}


def _rows(*rows: dict[str, Any]) -> dict[str, Any]:
    body = voucher_body(date="2024-05-02")
    body["Voucher"]["VoucherRows"] = list(rows)
    return body


def test_the_seed_charts_differ_between_years(api: httpx.Client) -> None:
    older, latest, default = _chart(api, financialyear=1), _chart(api, financialyear=2), _chart(api)
    assert default == latest
    assert (older[6212]["Active"], latest[6212]["Active"]) == (False, True)
    assert older[6212]["Year"] == 1 and latest[6212]["Year"] == 2
    assert older[5010]["CostCenterSettings"] == "ALLOWED"
    assert latest[5010]["CostCenterSettings"] == "MANDATORY"
    for chart in (older, latest):
        assert (chart[2081]["CostCenterSettings"], chart[2081]["ProjectSettings"]) == (
            "NOTALLOWED",
            "NOTALLOWED",
        )
    single = api.get("/accounts/6212", params={"financialyear": 1}).json()["Account"]
    assert single["Active"] is False and single["Year"] == 1


def test_without_account_settings_every_year_is_the_same(
    emulator_factory: EmulatorFactory,
) -> None:
    with bearer(emulator_factory(account_settings=())) as api:
        older, latest = _chart(api, financialyear=1), _chart(api, financialyear=2)
    assert {n: (a["Active"], a["CostCenterSettings"]) for n, a in older.items()} == {
        n: (a["Active"], a["CostCenterSettings"]) for n, a in latest.items()
    }


def test_account_settings_count_years_as_sie_does(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(
        account_settings=(
            AccountSetting("1930", year=-1, project="MANDATORY"),
            AccountSetting("6110", year=None, cost_center="NOTALLOWED"),
            AccountSetting("9999", active=False),  # not in the seed: skipped
            AccountSetting("6570", year=-5, active=False),  # no such year: skipped
        )
    )
    state = emu.state
    assert [state.account(y, 1930).project_settings for y in (1, 2)] == ["MANDATORY", "ALLOWED"]
    assert {state.account(y, 6110).costcenter_settings for y in (1, 2)} == {"NOTALLOWED"}
    assert state.account(1, 9999) is None and state.account(2, 9999) is None
    assert state.account(1, 6570).active and state.account(2, 6570).active
    assert state.account(2, 5010).costcenter_settings == "ALLOWED"  # defaults replaced


def test_accounts_are_checked_in_the_vouchers_own_year(small: RunningEmulator) -> None:
    state = small.state
    state.set_account(1, 6110, active=False)
    del state.chart(1)[4010]
    with bearer(small) as api:
        older = {"financialyear": 1}
        inactive = api.post("/vouchers", params=older, json=voucher_body(date="2024-05-02"))
        assert inactive.json()["ErrorInformation"]["code"] == 2000598
        missing = api.post(
            "/vouchers",
            params=older,
            json=voucher_body(date="2024-05-02", rows=[(4010, "5", "0"), (1930, "0", "5")]),
        )
        assert missing.json()["ErrorInformation"]["code"] == 2001304
        assert api.get("/accounts/4010", params=older).status_code == 404
        # The same accounts are fine in the latest year's chart.
        assert api.post("/vouchers", json=voucher_body()).status_code == 201
        latest = voucher_body(rows=[(4010, "5", "0"), (1930, "0", "5")])
        assert api.post("/vouchers", json=latest).status_code == 201
    assert [v.year for v in state.vouchers(origin="api")] == [2, 2]


DIMENSION_CASES = [
    ("cost centre missing", {"cost_center": "MANDATORY"}, {}, 2000946),
    ("cost centre not allowed", {"cost_center": "NOTALLOWED"}, {"CostCenter": "100"}, 2000605),
    ("project missing", {"project": "MANDATORY"}, {}, 2000608),
    ("project not allowed", {"project": "NOTALLOWED"}, {"Project": "P1"}, 2000607),
    ("unknown cost centre", {}, {"CostCenter": "999"}, 2000602),
    ("unknown project", {}, {"Project": "P9"}, 2001161),
]


@pytest.mark.parametrize(
    ("case", "setting", "objects", "code"), DIMENSION_CASES, ids=[c[0] for c in DIMENSION_CASES]
)
def test_cost_centre_and_project_rules_per_account_and_year(
    small: RunningEmulator, case: str, setting: dict[str, str], objects: dict[str, str], code: int
) -> None:
    small.state.set_account(1, 6110, **setting)
    body = _rows({"Account": 6110, "Debit": 5, **objects}, {"Account": 1930, "Credit": 5})
    with bearer(small) as api:
        refused = api.post("/vouchers", params={"financialyear": 1}, json=body)
        assert refused.status_code == 400, case
        error = refused.json()["ErrorInformation"]
        assert (error["code"], set(error)) == (code, {"error", "message", "code"})
        assert small.state.vouchers(origin="api") == []
        if setting:  # the other year's chart has no such rule
            body["Voucher"]["TransactionDate"] = "2025-05-02"
            assert api.post("/vouchers", json=body).status_code == 201


def test_mandatory_objects_given_are_accepted(small: RunningEmulator) -> None:
    small.state.set_account(2, 6110, cost_center="MANDATORY", project="MANDATORY")
    body = voucher_body()
    body["Voucher"]["VoucherRows"][0].update({"CostCenter": "100", "Project": "P1"})
    with bearer(small) as api:
        created = api.post("/vouchers", json=body)
        assert created.status_code == 201
        row = created.json()["Voucher"]["VoucherRows"][0]
        assert (row["CostCenter"], row["Project"]) == ("100", "P1")
        account = api.get("/accounts/6110").json()["Account"]
    assert (account["CostCenterSettings"], account["ProjectSettings"]) == ("MANDATORY",) * 2


def test_set_account_checks_its_arguments(small: RunningEmulator) -> None:
    with pytest.raises(ValueError):
        small.state.set_account(1, 6110, cost_center="SOMETIMES")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        small.state.set_account(9, 6110, active=False)
    added = small.state.set_account(1, 6999, description="Nytt konto")
    assert small.state.account(1, 6999) is added and small.state.account(2, 6999) is None
