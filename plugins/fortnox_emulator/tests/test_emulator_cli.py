"""``ledgerlink fortnox emulator``: one command starts a real server; Ctrl-C stops it."""

from __future__ import annotations

import signal
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import httpx
from click.testing import CliRunner
from ledgerlink_fortnox_emulator.cli import emulator_command

START = "from ledgerlink_fortnox_emulator.cli import emulator_command; emulator_command()"


def test_help_lists_the_knobs() -> None:
    result = CliRunner().invoke(emulator_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--seed", "--latency", "--rate-limit", "--redirect-uri"):
        assert option in result.output


def test_runs_until_interrupted_and_serves_the_oauth_flow() -> None:
    redirect = "http://127.0.0.1:9/callback"
    proc = subprocess.Popen(
        [sys.executable, "-c", START, "--port", "0", "--latency", "0", "--redirect-uri", redirect],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: dict[str, str] = {}
        assert proc.stdout is not None
        for line in proc.stdout:
            key, _, value = line.strip().partition(":")
            lines[key.strip()] = value.strip()
            if line.startswith("Ctrl-C"):
                break
        api = lines["API"]
        oauth = lines["OAuth"].split()[0]
        client_id = lines["Test client id"]
        secret = lines["Test client secret"].split()[0]
        assert lines["Redirect URI(s), matched exactly"] == redirect
        approved = httpx.get(
            oauth + "/auth",
            params={
                "client_id": client_id,
                "response_type": "code",
                "state": "s1",
                "scope": "companyinformation",
                "redirect_uri": redirect,
                "access_type": "offline",
            },
        )
        code = parse_qs(urlsplit(approved.headers["location"]).query)["code"][0]
        tokens = httpx.post(
            oauth + "/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
            auth=(client_id, secret),
        ).json()
        company = httpx.get(
            api + "/companyinformation",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert company.status_code == 200
        assert company.json()["CompanyInformation"]["CompanyName"]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopping" in out
    assert "Traceback" not in err
