"""A firm's client list over TCP against a multi-company emulator: log in to three companies,
list them, pull by organisation number and alias, refuse the ambiguous call and a push into
the wrong company, log out of one."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from export_kit import make_vouchers
from fortnox_testkit import connection_store, default_store, env_for, login_emulator, redirect_uri
from ledgerlink_core import org_key, read_sie


def _approve_in_background(url: str) -> bool:
    threading.Thread(target=httpx.get, args=(url,), kwargs={"follow_redirects": True}).start()
    return True


@pytest.fixture
def firm(emulator_factory: Any, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path) -> Any:
    """An emulator with three companies and the CLI pointed at it; the test user's browser
    approves every login."""
    uri = redirect_uri()
    emu = login_emulator(emulator_factory, uri, tenants=3)
    for key, value in env_for(emu).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LEDGERLINK_FORTNOX__REDIRECT_URI", uri)
    monkeypatch.setattr("webbrowser.open", _approve_in_background)
    return emu


def _login_all(emu: Any, run_cli: Any, aliases: list[str]) -> list[str]:
    orgs = []
    for tenant, alias in zip(emu.tenant_ids[: len(aliases)], aliases, strict=True):
        emu.configure(login_tenant=tenant)  # the user picks this company in the browser
        result = run_cli("fortnox", "login", "--as", alias)
        assert result.exit_code == 0, result.stderr
        org = emu.tenant_state(tenant).company.org_nr
        assert org in result.stdout
        orgs.append(org)
    return orgs


def test_three_companies_end_to_end(firm: Any, run_cli: Any, tmp_path: Path) -> None:
    emu = firm
    orgs = _login_all(emu, run_cli, ["ett", "tva", "tre"])
    config = Path(os.environ["LEDGERLINK_CONFIG_DIR"])
    for org in orgs:
        store = connection_store(config, org)
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE((config / "connections.json").stat().st_mode) == 0o600

    listed = run_cli("connections", "--json")
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)["connections"]
    assert sorted(r["org_nr"] for r in rows) == sorted(orgs)
    assert {r["alias"] for r in rows} == {"ett", "tva", "tre"}
    assert {r["status"] for r in rows} == {"valid"} and all(r["until"] for r in rows)
    names = {r["org_nr"]: r["company"] for r in rows}
    assert names[orgs[1]] == emu.tenant_state(emu.tenant_ids[1]).company.name
    text = run_cli("connections")
    assert "tva" in text.stdout and orgs[2] in text.stdout
    for secret in ("access_token", emu.config.client_secret):
        assert secret not in listed.stdout + text.stdout

    # pull each company, by organisation number and by alias
    for org, alias in zip(orgs, ["ett", "tva", "tre"], strict=True):
        for selector in (org, alias):
            out = tmp_path / f"{selector}.se"
            pulled = run_cli("--company", selector, "pull", "--from", "fortnox", "-o", str(out))
            assert pulled.exit_code == 0, pulled.stderr
            assert org_key(read_sie(out).bookkeeping.company.org_nr or "") == org_key(org)

    # several connections and no --company: exit 3, listing them
    ambiguous = run_cli("pull", "--from", "fortnox", "-o", str(tmp_path / "x.se"))
    assert ambiguous.exit_code == 3
    assert all(org in ambiguous.stderr for org in orgs) and "--company" in ambiguous.stderr
    assert not (tmp_path / "x.se").exists()
    unknown = run_cli("--company", "fyra", "pull", "--from", "fortnox", "-o", str(tmp_path / "y"))
    assert unknown.exit_code == 3 and "fyra" in unknown.stderr

    # a push of company ett's books into company tva: refused before anything is written
    second = emu.tenant_state(emu.tenant_ids[1])
    before = len(second.vouchers())
    writes_before = [r for r in second.request_log if r.method != "GET"]
    for dry in ([], ["--dry-run"]):
        wrong = run_cli(
            "--company", "tva", "push", "--to", "fortnox", str(tmp_path / "ett.se"), *dry
        )
        assert wrong.exit_code == 1, wrong.stderr
        assert orgs[0] in wrong.stderr and orgs[1] in wrong.stderr
    vouchers = make_vouchers(emu, tmp_path / "json", 2, attachments=0)
    body = {"company": {"org_nr": orgs[0]}, "vouchers": json.loads(vouchers.read_text())}
    vouchers.write_text(json.dumps(body))
    wrong_json = run_cli("--company", orgs[1], "push", "--to", "fortnox", str(vouchers))
    assert wrong_json.exit_code == 1 and orgs[0] in wrong_json.stderr
    assert len(second.vouchers()) == before
    assert [r for r in second.request_log if r.method != "GET"] == writes_before
    status = run_cli("push", "--status", "--json")
    assert json.loads(status.stdout)["entries"] == []
    # the right company takes it, and push --status names the company
    right = run_cli("--company", "ett", "push", "--to", "fortnox", str(vouchers), "--json")
    assert right.exit_code == 0, right.stderr
    status = run_cli("push", "--status")
    assert orgs[0] in status.stdout

    # logging out of one leaves the others
    bye = run_cli("fortnox", "logout", "--company", "tva")
    assert bye.exit_code == 0, bye.stderr
    rows = json.loads(run_cli("connections", "--json").stdout)["connections"]
    assert sorted(r["alias"] for r in rows) == ["ett", "tre"]
    assert not connection_store(config, orgs[1]).path.exists()
    again = run_cli("--company", "tre", "pull", "--from", "fortnox", "-o", str(tmp_path / "z.se"))
    assert again.exit_code == 0, again.stderr
    gone = run_cli("--company", "tva", "pull", "--from", "fortnox", "-o", str(tmp_path / "w.se"))
    assert gone.exit_code == 3


def test_one_connection_is_used_and_login_again_replaces_only_it(
    firm: Any, run_cli: Any, tmp_path: Path
) -> None:
    emu = firm
    [first] = _login_all(emu, run_cli, ["a"])
    out = tmp_path / "one.se"
    assert run_cli("pull", "--from", "fortnox", "-o", str(out)).exit_code == 0
    config = Path(os.environ["LEDGERLINK_CONFIG_DIR"])
    old = connection_store(config, first).load()
    emu.configure(login_tenant=emu.tenant_ids[1])
    assert run_cli("fortnox", "login", "--as", "b").exit_code == 0
    emu.configure(login_tenant=emu.tenant_ids[0])
    assert run_cli("fortnox", "login", "--as", "a2").exit_code == 0
    rows = json.loads(run_cli("connections", "--json").stdout)["connections"]
    assert sorted(r["alias"] for r in rows) == ["a2", "b"]
    new = connection_store(config, first).load()
    assert old is not None and new is not None and new["refresh_token"] != old["refresh_token"]
    taken = run_cli("fortnox", "login", "--as", "b")  # company 1 again, alias of company 2
    assert taken.exit_code == 3 and "alias" in taken.stderr


def test_a_login_from_before_connections_is_adopted(
    firm: Any, run_cli: Any, tmp_path: Path
) -> None:
    emu = firm
    from fortnox_testkit import stored_login

    config = Path(os.environ["LEDGERLINK_CONFIG_DIR"])
    stored_login(emu, default_store(config))  # tokens/fortnox.json, the first company's
    rows = json.loads(run_cli("connections", "--json").stdout)["connections"]
    assert [(r["org_nr"], r["status"]) for r in rows] == [("", "legacy")]
    assert run_cli("pull", "--from", "fortnox", "-o", str(tmp_path / "l.se")).exit_code == 0
    emu.configure(login_tenant=emu.tenant_ids[2])
    result = run_cli("fortnox", "login", "--as", "tre")
    assert result.exit_code == 0, result.stderr
    assert "from before connections" in result.stderr
    rows = json.loads(run_cli("connections", "--json").stdout)["connections"]
    first = emu.state.company.org_nr
    assert sorted(r["org_nr"] for r in rows) == sorted(
        [first, emu.tenant_state(emu.tenant_ids[2]).company.org_nr]
    )
    assert not default_store(config).path.exists()
