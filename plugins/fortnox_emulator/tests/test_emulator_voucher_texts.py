"""Voucher texts as Fortnox takes them: its published character whitelist (2000359 for anything
else) and the field lengths, in ``Description``, ``Comments`` and every row's
``TransactionInformation``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from emulator_helpers import bearer, voucher_body
from ledgerlink_fortnox_emulator import RunningEmulator

EmulatorFactory = Callable[..., RunningEmulator]
YEAR = {"financialyear": 2}
#: Every non-letter of the whitelist, and letters from several alphabets.
ALLOWED = (
    "’\\\u0308\u030a0123456789 –:.`´,;^¤#%§£$€¢¥©™°&/()=+-*_!?²³®½@\u00a0\n\r"
    "AZaz åäö ÅÄÖ éáœæøü ß Ωλ Жж"
)
REFUSED = ['"', "'", "<", ">", "[", "]", "{", "}", "|", "~", "\t", "\x07", "😀"]


@pytest.fixture
def api(small: RunningEmulator) -> Any:
    with bearer(small) as client:
        yield client


def _with_texts(description: str = "Test", comments: str = "", row_text: str = "") -> Any:
    body = voucher_body()
    body["Voucher"]["Description"] = description
    body["Voucher"]["Comments"] = comments
    body["Voucher"]["VoucherRows"][1]["TransactionInformation"] = row_text
    return body


def test_every_whitelisted_character_is_accepted(small: RunningEmulator, api: httpx.Client) -> None:
    texts = {"description": ALLOWED, "comments": ALLOWED * 3, "row_text": ALLOWED[:100]}
    answer = api.post("/vouchers", params=YEAR, json=_with_texts(**texts))
    assert answer.status_code == 201, answer.text
    stored = small.state.get_voucher(2, "A", answer.json()["Voucher"]["VoucherNumber"])
    assert stored is not None and stored.description == ALLOWED
    assert stored.rows[1].transaction_information == ALLOWED[:100]


@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("description", "Description"),
        ("comments", "Comments"),
        ("row_text", "TransactionInformation, rad 2"),
    ],
)
def test_characters_outside_the_whitelist_are_2000359(
    small: RunningEmulator, api: httpx.Client, char: str, where: str, field: str
) -> None:
    answer = api.post("/vouchers", params=YEAR, json=_with_texts(**{where: f"Kund {char}X{char}"}))
    assert answer.status_code == 400
    error = answer.json()["ErrorInformation"]
    assert error["code"] == 2000359
    assert error["message"].startswith(f"Värdet innehåller ej tillåtna tecken. ({field}: U+")
    assert error["message"].count(f"U+{ord(char):04X}") == 1  # each refused character once
    assert small.state.vouchers(origin="api") == []


@pytest.mark.parametrize(
    ("where", "limit"), [("description", 200), ("comments", 1000), ("row_text", 100)]
)
def test_texts_over_the_field_length_are_refused(
    small: RunningEmulator, api: httpx.Client, where: str, limit: int
) -> None:
    fits = api.post("/vouchers", params=YEAR, json=_with_texts(**{where: "x" * limit}))
    assert fits.status_code == 201
    over = api.post("/vouchers", params=YEAR, json=_with_texts(**{where: "x" * (limit + 1)}))
    assert over.status_code == 400
    assert over.json()["ErrorInformation"]["code"] == 2000359
    assert f"högst {limit} tecken" in over.json()["ErrorInformation"]["message"]
    assert len(small.state.vouchers(origin="api")) == 1


def test_over_long_texts_can_be_cut_instead(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(truncate_long_texts=True)
    with bearer(emu) as api:
        answer = api.post("/vouchers", params=YEAR, json=_with_texts(row_text="y" * 150))
    assert answer.status_code == 201
    assert answer.json()["Voucher"]["VoucherRows"][1]["TransactionInformation"] == "y" * 100


def test_text_fields_must_be_strings(api: httpx.Client) -> None:
    body = _with_texts()
    body["Voucher"]["VoucherRows"][0]["TransactionInformation"] = ["a"]
    answer = api.post("/vouchers", params=YEAR, json=body)
    assert answer.status_code == 400
    assert answer.json()["ErrorInformation"]["code"] == 2000359
