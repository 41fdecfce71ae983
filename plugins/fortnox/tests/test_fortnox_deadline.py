"""Review C2: an overall deadline per request. httpx's ``timeout`` bounds each read, so a
server that trickles its answer a byte at a time kept ``pull --from fortnox`` running forever;
past ``request_deadline`` the request now fails as a read timeout does (exit 5)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_fortnox import logged_in as fresh_login
from fake_fortnox import settings as fake_settings
from fortnox_testkit import default_store
from ledgerlink_core import BackendUnavailable, MemoryTokenStore
from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.transport import DeadlineExceeded, DeadlineTransport, RetryingTransport
from pydantic import ValidationError

#: How long the trickling server keeps at it before it hangs up: beyond every bound asserted
#: here, so a client without a deadline fails these tests instead of hanging them.
TRICKLE_FOR = 40.0


class TrickleServer:
    """A TCP server on 127.0.0.1 that answers every request with headers promising 100,000
    bytes and then sends one byte every ``interval`` seconds."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:  # the accept timed out, or the socket was closed
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    data = conn.recv(4096)
                    if not data:
                        return
                    head += data
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100000\r\n\r\n"
                )
                ends = time.monotonic() + TRICKLE_FOR
                while not self._stop.is_set() and time.monotonic() < ends:
                    conn.sendall(b" ")
                    self._stop.wait(self.interval)
            except OSError:
                return  # the client gave up: what a deadline is for

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


@pytest.fixture
def trickle() -> Iterator[TrickleServer]:
    server = TrickleServer()
    yield server
    server.close()


def test_c2_a_trickling_answer_fails_at_the_deadline_over_tcp(trickle: TrickleServer) -> None:
    settings = fake_settings(
        base_url=trickle.url,
        oauth_url=trickle.url + "/oauth-v1",
        timeout=1,
        request_deadline=2,
        shared_rate_limit=False,
    )
    store = MemoryTokenStore()
    store.save(fresh_login())
    started = time.monotonic()
    with (
        FortnoxClient(settings, store) as client,
        pytest.raises(BackendUnavailable, match="did not answer in time") as caught,
    ):
        client.get_json("companyinformation", action="reading company information")
    took = time.monotonic() - started
    assert took >= 2  # not before the deadline: every byte came within `timeout`
    assert took < 20  # generous for a loaded machine; without a deadline: never
    message = str(caught.value)
    assert "2 s `request_deadline`" in message and "\n" not in message
    assert caught.value.exit_code == 5
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)  # a timeout, as before


def test_c2_pull_from_a_trickling_server_ends_with_exit_5(
    trickle: TrickleServer, run_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The review's reproduction: `pull --from fortnox --set timeout=...` against it.
    monkeypatch.setenv("LEDGERLINK_FORTNOX__CLIENT_ID", "cid")
    monkeypatch.setenv("LEDGERLINK_FORTNOX__CLIENT_SECRET", "secret")
    default_store(Path(os.environ["LEDGERLINK_CONFIG_DIR"])).save(fresh_login())
    out = tmp_path / "books.se"
    started = time.monotonic()
    result = run_cli(
        "pull",
        "--from",
        "fortnox",
        "--year",
        "2025",
        "-o",
        str(out),
        *("--set", f"base_url={trickle.url}", "--set", f"oauth_url={trickle.url}/oauth-v1"),
        *("--set", "timeout=1", "--set", "request_deadline=2", "--set", "shared_rate_limit=0"),
    )
    assert time.monotonic() - started < 20
    assert result.exit_code == 5, result.stderr
    assert result.stderr.count("\n") == 1 and "request_deadline" in result.stderr
    assert not out.exists()


# -- unit: the deadline transport with a clock that moves only when told -----------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class SlowBody(httpx.SyncByteStream):
    """A body of ``chunks`` chunks, each taking ``each`` seconds of ``clock``."""

    def __init__(self, clock: Clock, chunks: int, each: float) -> None:
        self.clock, self.chunks, self.each = clock, chunks, each
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.clock.now += self.each
            yield b"x"

    def close(self) -> None:
        self.closed = True


def test_c2_a_body_past_the_deadline_is_a_read_timeout() -> None:
    clock = Clock()
    bodies: list[SlowBody] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(SlowBody(clock, chunks=100, each=0.5))
        return httpx.Response(200, stream=bodies[-1])

    transport = DeadlineTransport(httpx.MockTransport(handler), 10.0, clock=clock)
    with httpx.Client(transport=transport) as http, pytest.raises(httpx.ReadTimeout) as caught:
        http.get("http://fortnox.test/3/x")
    assert isinstance(caught.value, DeadlineExceeded)
    assert "10 s request deadline" in str(caught.value)
    assert 10.0 < clock.now <= 10.5  # stopped at the first chunk past the deadline
    assert bodies[0].closed  # the connection is not handed back half read


def test_c2_an_answer_within_the_deadline_is_untouched() -> None:
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=SlowBody(clock, chunks=19, each=0.5))

    transport = DeadlineTransport(httpx.MockTransport(handler), 10.0, clock=clock)
    with httpx.Client(transport=transport) as http:
        assert http.get("http://fortnox.test/3/x").content == b"x" * 19


@pytest.mark.parametrize(("method", "attempts"), [("GET", 4), ("POST", 1)])
def test_c2_late_headers_are_retried_like_a_timeout_only_for_reads(
    method: str, attempts: int
) -> None:
    # Past the deadline before the headers: inside the retrying transport, so a read is
    # retried as after a read timeout, and a write is not (core looks it up instead).
    clock = Clock()
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        clock.now += 11.0
        return httpx.Response(200, json={})

    deadline = DeadlineTransport(httpx.MockTransport(handler), 10.0, clock=clock)
    retrying = RetryingTransport(deadline, sleep=lambda s: None)
    with httpx.Client(transport=retrying) as http, pytest.raises(DeadlineExceeded):
        http.request(method, "http://fortnox.test/3/vouchers")
    assert sent == [method] * attempts


@pytest.mark.parametrize("value", [0, -1, "soon"])
def test_c2_request_deadline_is_validated(value: Any) -> None:
    with pytest.raises(ValidationError, match="request_deadline"):
        fake_settings(request_deadline=value)
    assert fake_settings().request_deadline == 120.0
