"""``ledgerlink batch`` over TCP against an emulator of 20 companies: two fail (a revoked
login, a 5xx storm), the other 18 land; a re-run redoes only the two."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fortnox_testkit import connect_companies, env_for
from ledgerlink_core import org_key, read_sie

WINDOW = 1.0  # the rate window, scaled down from Fortnox's 5 s on both sides


@pytest.fixture
def twenty(emulator_factory: Any, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path) -> Any:
    emu = emulator_factory(tenants=20, rate_limit_window=WINDOW, retry_after_unit=0.05)
    for key, value in env_for(emu).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LEDGERLINK_FORTNOX__RATE_LIMIT_WINDOW", str(WINDOW))
    connect_companies(emu, Path(os.environ["LEDGERLINK_CONFIG_DIR"]))
    return emu


def _requests(emu: Any) -> list[int]:
    return [emu.tenant_state(t).request_counts()["total"] for t in emu.tenant_ids]


def test_batch_pull_of_twenty_with_two_failures_then_a_rerun(
    twenty: Any, run_cli: Any, tmp_path: Path
) -> None:
    emu = twenty
    revoked, storm = emu.tenant_ids[4], emu.tenant_ids[11]
    bad = {emu.tenant_state(t).company.org_nr for t in (revoked, storm)}
    emu.revoke_tenant(revoked)
    emu.expire_access_tokens()  # so the revoked company's next request must refresh
    emu.configure(tenant_outages=[storm])
    out = tmp_path / "year-end"

    first = run_cli(
        "batch", "pull", "--from", "fortnox", "--out", str(out), "--jobs", "6", "--json"
    )
    assert first.exit_code == 8, first.stderr
    report = json.loads(first.stdout)
    assert report["counts"] == {"done": 18, "skipped": 0, "failed": 2}
    failed = {c["org_nr"]: c for c in report["companies"] if c["status"] == "failed"}
    assert set(failed) == bad
    assert failed[emu.tenant_state(revoked).company.org_nr]["exit_code"] == 4
    assert "fortnox login" in failed[emu.tenant_state(revoked).company.org_nr]["detail"]
    assert failed[emu.tenant_state(storm).company.org_nr]["exit_code"] == 5
    assert "2 of 20 companies failed" in first.stderr
    for tenant in emu.tenant_ids:
        org = emu.tenant_state(tenant).company.org_nr
        sie = out / org / "bookkeeping.se"
        assert sie.is_file() == (org not in bad)
        if org not in bad:
            assert org_key(read_sie(sie).bookkeeping.company.org_nr or "") == org_key(org)
    assert emu.request_counts()["429"] == 0  # each company within its own budget
    listed = json.loads(run_cli("connections", "--json").stdout)["connections"]
    status = {r["org_nr"]: r["status"] for r in listed}
    assert status[emu.tenant_state(revoked).company.org_nr] == "refused"

    # the firm logs in to the revoked company again, and the outage ends
    connect_companies(emu, Path(os.environ["LEDGERLINK_CONFIG_DIR"]), [revoked])
    emu.configure(tenant_outages=[])
    before = _requests(emu)
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/bookkeeping.se")}
    second = run_cli("batch", "pull", "--from", "fortnox", "--out", str(out), "--json")
    assert second.exit_code == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["counts"] == {"done": 2, "skipped": 18, "failed": 0}
    assert {c["org_nr"] for c in again["companies"] if c["status"] == "done"} == bad
    after = _requests(emu)
    touched = {
        emu.tenant_state(t).company.org_nr
        for t, b, a in zip(emu.tenant_ids, before, after, strict=True)
        if a != b
    }
    assert touched == bad  # the 18 done before were not asked anything
    assert all(p.stat().st_mtime_ns == stamp for p, stamp in stamps.items())
    assert len(list(out.glob("*/bookkeeping.se"))) == 20

    forced = run_cli(
        "batch",
        "pull",
        "--from",
        "fortnox",
        "--out",
        str(out),
        "--companies",
        ",".join(sorted(bad)),
        "--force",
    )
    assert forced.exit_code == 0, forced.stderr
    assert "2 done, 0 skipped" in forced.stdout


def test_batch_ledgers_and_reconcile_write_what_the_single_commands_print(
    twenty: Any, run_cli: Any, tmp_path: Path
) -> None:
    emu = twenty
    orgs = [emu.tenant_state(t).company.org_nr for t in emu.tenant_ids[:2]]
    date = max(emu.state.years, key=lambda y: y.start).end.isoformat()
    out = tmp_path / "out"
    for operation, name in (("ledgers", "ledgers.json"), ("reconcile", "reconcile.json")):
        result = run_cli(
            "batch",
            operation,
            "--from",
            "fortnox",
            "--date",
            date,
            "--out",
            str(out),
            "--companies",
            ",".join(orgs),
        )
        assert result.exit_code == 0, result.stderr
        assert "2 done" in result.stdout
        for org in orgs:
            written = json.loads((out / org / name).read_text())
            single = run_cli(
                "--company", org, operation, "--from", "fortnox", "--date", date, "--json"
            )
            assert single.exit_code in (0, 1), single.stderr
            assert written == json.loads(single.stdout)
    assert not (out / emu.tenant_state(emu.tenant_ids[2]).company.org_nr).exists()
    unknown = run_cli(
        "batch",
        "ledgers",
        "--from",
        "fortnox",
        "--date",
        date,
        "--out",
        str(out),
        "--companies",
        "nobody",
    )
    assert unknown.exit_code == 3
