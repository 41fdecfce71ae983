"""The HTTP server: OAuth under ``/oauth-v1``, the API under ``/3``, inspection under
``/_emulator``. A thread per connection with HTTP/1.1 keep-alive; latency sleeps happen in the
request's own thread, so concurrent clients are not serialised."""

from __future__ import annotations

import contextlib
import json
import logging
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ledgerlink_core import Bookkeeping, Seconds

from ledgerlink_fortnox_emulator import api_bookkeeping, api_dimensions, api_files, api_ledgers
from ledgerlink_fortnox_emulator.config import EmulatorConfig, check_setting
from ledgerlink_fortnox_emulator.errors import (
    ApiError,
    OAuthError,
    missing_licence,
    missing_scope,
    server_error,
    unauthorized,
)
from ledgerlink_fortnox_emulator.faults import (
    Decision,
    Fault,
    FaultPlan,
    SlidingWindow,
    retry_after_header,
)
from ledgerlink_fortnox_emulator.oauth import AnswerLost, AuthServer
from ledgerlink_fortnox_emulator.routing import Context, Request, Response, Router
from ledgerlink_fortnox_emulator.seed import build_state
from ledgerlink_fortnox_emulator.state import EmulatorState, RequestRecord

log = logging.getLogger(__name__)

_WRITE_METHODS = ("POST", "PUT", "DELETE")


def _router() -> Router:
    router = Router()
    for module in (api_bookkeeping, api_dimensions, api_ledgers, api_files):
        router.routes.extend(module.router.routes)
    return router


class _Dropped(Exception):
    """Close the connection without answering."""


class EmulatorApp:
    """Everything one emulated Fortnox holds: config, the companies' data, auth, limiter,
    faults, routes.

    Each company (tenant) has its own state, built on first use from the seed bookkeeping
    (``config.tenants`` of them; ``state`` is the first); a bearer token names its tenant,
    and the rate window is counted per app and tenant, as Fortnox counts it."""

    def __init__(
        self, config: EmulatorConfig, state: EmulatorState, book: Bookkeeping | None = None
    ) -> None:
        self.config = config
        self.state = state
        self.auth = AuthServer(config)
        self.auth.tenant_for_login = self.login_tenant
        self.window = SlidingWindow(config)
        self.faults = FaultPlan(config)
        self.router = _router()
        self.ctx = Context(state, config)
        self._book = book
        self._tenant_lock = threading.Lock()
        self._contexts: dict[int, Context] = {state.tenant_id: self.ctx}
        self._jitter = random.Random(config.seed + 1)

    # --- companies ------------------------------------------------------------------------------

    def tenant_ids(self) -> list[int]:
        """Every company's tenant id (``DatabaseNumber``), the first company first."""
        return [self.state.tenant_id + i for i in range(max(1, self.config.tenants))]

    def context(self, tenant_id: int) -> Context:
        """The handlers' context of company ``tenant_id`` (its state built on first use)."""
        found = self._contexts.get(tenant_id)
        if found is not None:
            return found
        index = tenant_id - self.state.tenant_id
        if not 0 < index < self.config.tenants:
            raise KeyError(f"the emulator has no tenant {tenant_id}")
        with self._tenant_lock:
            found = self._contexts.get(tenant_id)
            if found is None:
                if self._book is None:
                    from ledgerlink_fortnox_emulator.seed import load_bookkeeping

                    self._book = load_bookkeeping(self.config.seed_sie)
                state = build_state(self.config, self._book, tenant=index)
                found = self._contexts[tenant_id] = Context(state, self.config)
        return found

    def tenant_state(self, tenant: int | str) -> EmulatorState:
        """The state of a company by tenant id or organisation number."""
        return self.context(self.resolve_tenant(tenant)).state

    def resolve_tenant(self, tenant: int | str) -> int:
        """A tenant id from a tenant id or an organisation number (``556677-8899``)."""
        if isinstance(tenant, int):
            return tenant
        wanted = tenant.replace("-", "").strip()
        if wanted.isdigit() and len(wanted) != 10:
            return int(wanted)
        for tenant_id in self.tenant_ids():
            if self.context(tenant_id).state.company.org_nr.replace("-", "") == wanted:
                return tenant_id
        raise KeyError(f"the emulator has no company {tenant!r}")

    def tenants_summary(self) -> list[dict[str, Any]]:
        """Every company: tenant id, name, organisation number, service-account consent."""
        rows = []
        for tenant_id in self.tenant_ids():
            company = self.context(tenant_id).state.company
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "company": company.name,
                    "org_nr": company.org_nr,
                    "service_consent": self.auth.has_consent(tenant_id),
                }
            )
        return rows

    def login_tenant(self) -> int:
        """The company the test user picks when approving (``login_tenant``)."""
        chosen = self.config.login_tenant
        return self.state.tenant_id if chosen is None else self.resolve_tenant(chosen)

    def log_request(self, req: Request, record: RequestRecord) -> None:
        """Log a request in its company's state (the first company's without a token)."""
        state = self.state
        if req.grant is not None:
            with contextlib.suppress(KeyError):
                state = self.context(req.grant.tenant_id).state
        state.log_request(record)

    def latency(self) -> Seconds:
        """How long to hold this request (configured latency plus jitter)."""
        extra = (
            self._jitter.uniform(0, self.config.latency_jitter)
            if self.config.latency_jitter
            else 0.0
        )
        return self.config.latency + extra

    def api(self, req: Request) -> tuple[Response, Decision]:
        """Serve one ``/3/`` request, faults included. Raises :class:`_Dropped`."""
        token = ""
        auth_header = req.headers.get("authorization", "")
        if auth_header.lower().startswith("bearer "):
            token = auth_header[7:].strip()
        grant = self.auth.check_bearer(token) if token else None
        if grant is None:
            raise unauthorized(missing=not token)
        req.grant = grant
        if grant.tenant_id in self.config.tenant_outages:
            page = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
            return Response(503, page, content_type="text/html"), Decision(Fault.SERVER_ERROR, 503)
        wait = self.window.admit(f"{grant.client_id}:{grant.tenant_id}")
        if wait is not None:
            headers = (
                {"Retry-After": retry_after_header(wait, self.config.retry_after_unit)}
                if self.config.send_retry_after
                else {}
            )
            return Response(429, {"message": "Too Many Requests"}, headers=headers), Decision(None)
        decision = self.faults.decide(req.method in _WRITE_METHODS)
        if decision.fault is Fault.TOO_MANY:
            # A burst says "one unit": one second by default, as Fortnox would.
            unit = self.config.retry_after_unit
            headers = (
                {"Retry-After": retry_after_header(unit, unit)}
                if self.config.send_retry_after
                else {}
            )
            return Response(429, {"message": "Too Many Requests"}, headers=headers), decision
        if decision.fault is Fault.DROP_BEFORE:
            raise _Dropped(decision.fault.value)
        if decision.fault is Fault.SERVER_ERROR:
            if decision.status == 503:
                page = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
                return Response(503, page, content_type="text/html"), decision
            return Response(500, server_error().body()), decision
        route, params = self.router.match(req.method, req.path)
        req.params = params
        if route.scope is not None:
            if route.scope not in grant.scopes:
                raise missing_scope(route.scope)
            licences = self.config.licences
            if licences is not None and route.scope not in licences:
                raise missing_licence(route.scope)
        response = route.handler(self.context(grant.tenant_id), req)  # the write is committed here
        if decision.fault is Fault.DROP_AFTER:
            raise _Dropped(decision.fault.value)
        if decision.fault is Fault.TIMEOUT:
            time.sleep(self.config.timeout_hold)
        return response, decision


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    # --- plumbing -------------------------------------------------------------------------------

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response: Response) -> None:
        if isinstance(response.body, bytes):
            payload = response.body
        elif response.body is None:
            payload = b""
        else:
            payload = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
        self.send_response(response.status)
        ctype = response.content_type
        if ctype == "application/json":
            ctype = "application/json; charset=utf-8"
        if payload or response.status != 204:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if payload and self.command != "HEAD":
            if response.cut:
                # Half the promised body, then a closed connection: a download broken off.
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self._drop()
                return
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _dispatch(self) -> None:
        app = self.server.app
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = {k.lower(): v for k, v in parse_qsl(split.query, keep_blank_values=True)}
        body = self._body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = headers.get("host") or f"127.0.0.1:{self.server.server_port}"
        req = Request(self.command, path, query, headers, body, f"http://{host}")
        if path.startswith("/3/") or path == "/3":
            self._api(app, req)
        elif path.startswith("/oauth-v1/"):
            self._oauth(app, req, split.query)
        elif path.startswith("/_emulator"):
            self._inspect(app, req)
        else:
            self._send(Response(404, {"message": "Not found"}))

    def _api(self, app: EmulatorApp, req: Request) -> None:
        # Half the latency on the way in, half on the way out: every answer (429s and errors
        # too) costs a round trip, and arrival order at the rate limiter is send order.
        hold = app.latency()
        if hold > 0:
            time.sleep(hold / 2)
        record = RequestRecord(req.method, req.path, None, None, time.monotonic())
        try:
            response, decision = app.api(req)
            record.fault = decision.fault.value if decision.fault else None
        except _Dropped as dropped:
            record.fault = str(dropped)
            app.log_request(req, record)
            if hold > 0:
                time.sleep(hold / 2)
            self._drop()
            return
        except ApiError as err:
            response = Response(err.status, err.body(), headers=err.headers)
        except Exception:  # a bug in the emulator: answer as Fortnox would, and log it
            log.exception("emulator failed on %s %s", req.method, req.path)
            response = Response(500, server_error().body())
        record.status = response.status
        app.log_request(req, record)
        if hold > 0:
            time.sleep(hold / 2)
        self._send(response)

    def _oauth(self, app: EmulatorApp, req: Request, raw_query: str) -> None:
        endpoint = req.path.removeprefix("/oauth-v1/")
        if endpoint == "auth" and req.method == "GET":
            status, target = app.auth.authorize(dict(parse_qsl(raw_query)))
            if status == 302:
                self._send(
                    Response(302, b"", content_type="text/plain", headers={"Location": target})
                )
            else:
                self._send(Response(status, target.encode("utf-8"), content_type="text/plain"))
            return
        if endpoint in ("token", "revoke") and req.method == "POST":
            ctype = req.headers.get("content-type", "").split(";")[0].strip()
            try:
                if ctype != "application/x-www-form-urlencoded":
                    raise OAuthError(400, "invalid_request", "Content-Type must be form-encoded")
                form = dict(parse_qsl(req.body.decode("utf-8"), keep_blank_values=True))
                if endpoint == "token":
                    answer = app.auth.token(
                        form, req.headers.get("authorization"), req.headers.get("tenantid")
                    )
                    self._send(Response(200, answer, headers={"Cache-Control": "no-store"}))
                else:
                    revoked = app.auth.revoke(form, req.headers.get("authorization"))
                    self._send(Response(200, revoked))
            except OAuthError as err:
                self._send(Response(err.status, err.body()))
            except AnswerLost:
                self._drop()
            return
        self._send(Response(404, {"message": "Not found"}))

    def _inspect(self, app: EmulatorApp, req: Request) -> None:
        if req.path == "/_emulator/state" and req.method == "GET":
            tenant = req.query.get("tenant")
            try:
                state = app.tenant_state(tenant) if tenant else app.state
            except KeyError as err:
                self._send(Response(404, {"message": str(err)}))
                return
            self._send(Response(200, state.snapshot()))
        elif req.path == "/_emulator/tenants" and req.method == "GET":
            self._send(Response(200, {"tenants": app.tenants_summary()}))
        elif req.path == "/_emulator/config" and req.method == "POST":
            try:
                changes = json.loads(req.body or b"{}")
                configure(app.config, changes)
            except (ValueError, TypeError) as err:
                self._send(Response(400, {"message": str(err)}))
                return
            self._send(Response(200, {"ok": True}))
        else:
            self._send(Response(404, {"message": "Not found"}))

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()


#: Knobs that may change while the emulator runs (faults, limits, latency, lifetimes).
RUNTIME_KNOBS = frozenset(
    {
        "latency",
        "latency_jitter",
        "error_5xx_rate",
        "error_429_rate",
        "burst_429_length",
        "timeout_rate",
        "timeout_hold",
        "drop_before_commit_rate",
        "drop_after_commit_rate",
        "drop_refresh_answer_rate",
        "faults_on_reads",
        "rate_limit_requests",
        "rate_limit_window",
        "send_retry_after",
        "retry_after_unit",
        "access_token_lifetime",
        "refresh_token_lifetime",
        "max_upload_bytes",
        "truncate_long_texts",
        "honour_connection_year",
        "cut_downloads",
        "voucher_list_comments",
        "honour_date_filter",
        "invoice_list_rate_as_text",
        "licences",
        "granted_scopes",
        "redirect_uris",
        "login_tenant",
        "tenant_outages",
    }
)


def configure(config: EmulatorConfig, changes: dict[str, Any]) -> None:
    """Change runtime knobs of a running emulator: all of them or, when one is refused (an
    unknown or seed-time name, a value out of its range: ValueError naming it), none."""
    if not isinstance(changes, dict):
        raise ValueError("the runtime settings must be a JSON object of name: value")
    known = {f.name for f in fields(config)}
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in known or name not in RUNTIME_KNOBS:
            raise ValueError(f"not a runtime setting of the emulator: {name}")
        check_setting(name, value)
        if name == "tenant_outages":
            value = frozenset(int(v) for v in value)
        if name in ("licences", "granted_scopes", "cut_downloads") and value is not None:
            value = frozenset(value)
        if name == "redirect_uris":
            value = tuple(value)
        checked[name] = value
    for name, value in checked.items():
        setattr(config, name, value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # many companies connect at once (a batch)

    def __init__(self, address: tuple[str, int], app: EmulatorApp) -> None:
        self.app = app
        super().__init__(address, _Handler)


class RunningEmulator:
    """A started emulator: its URLs, its state (inspection API) and controls for tests."""

    def __init__(self, server: _Server, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.app = server.app
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.base_url = f"http://{self.host}:{self.port}"
        self.api_base = self.base_url + "/3"
        self.oauth_base = self.base_url + "/oauth-v1"

    @property
    def config(self) -> EmulatorConfig:
        """The live configuration (change runtime knobs through :meth:`configure`)."""
        return self.app.config

    @property
    def state(self) -> EmulatorState:
        """The tenant's data and the request log."""
        return self.app.state

    def tenant_state(self, tenant: int | str) -> EmulatorState:
        """One company's data by tenant id or organisation number."""
        return self.app.tenant_state(tenant)

    @property
    def tenant_ids(self) -> list[int]:
        """Every company's tenant id, the first company first."""
        return self.app.tenant_ids()

    def revoke_tenant(self, tenant: int | str) -> None:
        """The company removes the integration: its tokens and consents stop working."""
        self.app.auth.revoke_tenant(self.app.resolve_tenant(tenant))

    def request_counts(self) -> Counter[str]:
        """Answers by status over every company that has been used."""
        total: Counter[str] = Counter()
        for ctx in list(self.app._contexts.values()):
            total.update(ctx.state.request_counts())
        return total

    @property
    def auth(self) -> AuthServer:
        """The OAuth server (codes, tokens, ``refreshes`` count)."""
        return self.app.auth

    def issue_tokens(
        self,
        scopes: str | list[str] | frozenset[str] | None = None,
        *,
        offline: bool = True,
        tenant: int | str | None = None,
    ) -> dict[str, Any]:
        """Mint an authorization directly (as if the test user approved, for ``tenant``, a
        tenant id or organisation number; None: the first company): the token endpoint's
        answer, with ``access_token`` and ``refresh_token``."""
        if isinstance(scopes, str):
            scopes = scopes.split()
        return self.app.auth.issue(
            frozenset(scopes) if scopes is not None else None,
            offline=offline,
            tenant_id=None if tenant is None else self.app.resolve_tenant(tenant),
        )

    def configure(self, **changes: Any) -> None:
        """Change runtime knobs (faults, latency, limits, token lifetimes) while running."""
        configure(self.app.config, changes)

    def reset_rate_limit(self) -> None:
        """Forget the sliding window's history."""
        self.app.window.reset()

    def expire_access_tokens(self) -> None:
        """Expire every access token now."""
        self.app.auth.expire_access_tokens()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start_emulator(
    config: EmulatorConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    state: EmulatorState | None = None,
    book: Bookkeeping | None = None,
) -> RunningEmulator:
    """Seed and start an emulator in a background thread; call ``.stop()`` when done.
    ``book`` seeds the companies (``state``, when given, is the first one's)."""
    config = config or EmulatorConfig()
    if state is None:
        if book is None:
            from ledgerlink_fortnox_emulator.seed import load_bookkeeping

            book = load_bookkeeping(config.seed_sie)
        state = build_state(config, book)
    server = _Server((host, port), EmulatorApp(config, state, book))
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="fortnox-emulator", daemon=True
    )
    thread.start()
    return RunningEmulator(server, thread)


@contextlib.contextmanager
def run_emulator(
    config: EmulatorConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    state: EmulatorState | None = None,
    book: Bookkeeping | None = None,
) -> Iterator[RunningEmulator]:
    """Run an emulator for the duration of a ``with`` block (port 0: an ephemeral port)."""
    running = start_emulator(config, host, port, state=state, book=book)
    try:
        yield running
    finally:
        running.stop()
