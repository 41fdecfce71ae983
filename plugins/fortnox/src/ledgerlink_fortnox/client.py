"""``FortnoxClient``: the reusable layer between Fortnox's REST API and the backend.

It owns one thread-safe ``httpx.Client`` (auth flow + pacing/retrying transport), maps every
failure to a one-line ledgerlink error, and pages list endpoints *concurrently* with a
bounded look-ahead: a real round trip is ~300 ms and Fortnox allows 25 requests per 5 s, so a
sequential client cannot use the allowance, while the shared sliding-window limiter keeps the
pool within it. Memory stays flat: only a few pages are ever in flight.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import httpx
from ledgerlink_core import BackendError, BackendUnavailable, TokenStore

from ledgerlink_fortnox.auth import FortnoxAuth, OAuthClient
from ledgerlink_fortnox.convert import dumps
from ledgerlink_fortnox.errors import NotFound, to_ledgerlink_error
from ledgerlink_fortnox.settings import FortnoxSettings
from ledgerlink_fortnox.tokens import checked
from ledgerlink_fortnox.transport import (
    DeadlineExceeded,
    DeadlineTransport,
    RetryingTransport,
    SlidingWindowLimiter,
    TransportStats,
)

T = TypeVar("T")
R = TypeVar("R")

MAX_PAGE_SIZE = 500
DOWNLOAD_CHUNK = 64 * 1024
Params = Mapping[str, str | int]


def _meta(body: Mapping[str, Any]) -> tuple[int, int] | None:
    """``(@CurrentPage, @TotalPages)`` from a list response, or None when absent."""
    meta = next((v for k, v in body.items() if k.lower() == "metainformation"), None)
    if not isinstance(meta, dict):
        return None
    lowered = {str(k).lower().lstrip("@"): v for k, v in meta.items()}
    try:
        return int(lowered["currentpage"]), int(lowered["totalpages"])
    except (KeyError, TypeError, ValueError):
        return None


class FortnoxClient:
    """Authenticated, rate-limited access to ``<base_url>/3``.

    ``transport`` replaces the network (tests); the pacing and retry layer wraps it either way.
    Use as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        settings: FortnoxSettings,
        store: TokenStore,
        *,
        transport: httpx.BaseTransport | None = None,
        limiter: SlidingWindowLimiter | None = None,
        budget_dir: Path | None = None,
    ) -> None:
        """``budget_dir`` (the data directory): share the company's rate budget with other
        processes through it (``budget.py``; setting ``shared_rate_limit``)."""
        self.settings = settings
        self.stats = TransportStats()
        store = checked(store)  # a field of the wrong type: the one "corrupt" message (C6)
        self._store = store
        if limiter is None and budget_dir is not None and settings.shared_rate_limit:
            from ledgerlink_fortnox.budget import SharedWindowLimiter

            limiter = SharedWindowLimiter(
                budget_dir,
                self.budget_key,
                settings.rate_limit_requests,
                settings.rate_limit_window,
            )
        self.limiter = limiter or SlidingWindowLimiter(
            settings.rate_limit_requests, settings.rate_limit_window
        )
        api_prefix = settings.api_base + "/"
        # The deadline is per attempt, beneath the retries: a retried read gets a new one.
        self.transport = RetryingTransport(
            DeadlineTransport(
                transport or httpx.HTTPTransport(verify=ssl_context()), settings.request_deadline
            ),
            self.limiter,
            limited=lambda request: str(request.url).startswith(api_prefix),
            stats=self.stats,
        )
        self.auth = FortnoxAuth(
            store,
            OAuthClient(
                client_id=settings.client_id,
                client_secret=settings.client_secret,
                token_url=settings.token_url,
                tenant_id=settings.tenant_id,
            ),
            margin=settings.refresh_margin,
        )
        self.http = httpx.Client(
            base_url=api_prefix,
            auth=self.auth,
            transport=self.transport,
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={"Accept": "application/json", "User-Agent": "ledgerlink-fortnox"},
            limits=httpx.Limits(max_connections=settings.max_workers + 2),
        )
        self._pool: ThreadPoolExecutor | None = None

    def __repr__(self) -> str:
        return f"FortnoxClient(api={self.settings.api_base!r})"

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def pool(self) -> ThreadPoolExecutor:
        """The worker threads for concurrent requests (created on first use)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self.settings.max_workers, thread_name_prefix="fortnox"
            )
        return self._pool

    def budget_key(self) -> str:
        """What Fortnox counts a rate budget by: the integration (client id, API host) and
        the company, read from the stored tokens (the access token's ``tenantId`` claim,
        else the ``tenant_id`` or ``org_nr`` the login recorded)."""
        data = self._store.load() or {}
        tenant = tenant_of(str(data.get("access_token") or "")) or str(
            data.get("tenant_id") or data.get("org_nr") or "unknown"
        )
        return f"{self.settings.client_id}@{self.settings.base_url}:{tenant}"

    def close(self) -> None:
        """Stop the workers and close connections."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.http.close()
        closer = getattr(self.limiter, "close", None)
        if closer is not None:
            closer()

    def __enter__(self) -> FortnoxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        files: Any = None,
        action: str = "",
    ) -> httpx.Response:
        """Send one request; return the 2xx response or raise a ledgerlink error.

        ``json_body`` is sent as JSON with exact amounts (:func:`~.convert.dumps`), ``files``
        as multipart. Only reads are retried after a 5xx or timeout (see ``transport.py``).
        """
        what = action or f"{method} /3/{path.lstrip('/')}"
        content = dumps(json_body) if json_body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        request = self.http.build_request(
            method,
            path.lstrip("/"),
            params=dict(params) if params else None,
            content=content,
            files=files,
            headers=headers,
        )
        return self._send(request, what, stream=False)

    def _send(self, request: httpx.Request, what: str, *, stream: bool) -> httpx.Response:
        """Send through the pacing and retrying transport; map every failure to one line.
        With ``stream`` the body of a 2xx answer is left to the caller to read and close."""
        try:
            response = self.http.send(request, stream=stream)
        except DeadlineExceeded as exc:
            raise BackendUnavailable(
                f"{what}: Fortnox did not answer in time (no whole answer within the "
                f"{self.settings.request_deadline:g} s `request_deadline`); try again later or "
                f"raise the `request_deadline` setting"
            ) from exc
        except httpx.TimeoutException as exc:
            raise BackendUnavailable(
                f"{what}: Fortnox did not answer in time ({type(exc).__name__}); try again "
                f"later or raise the `timeout` setting"
            ) from exc
        except httpx.TransportError as exc:
            raise BackendUnavailable(
                f"{what}: cannot reach Fortnox at {self.settings.base_url} ({exc or type(exc)}); "
                f"check the network and the `base_url` setting"
            ) from exc
        if response.is_success:
            return response
        if stream:
            try:
                response.read()  # the error body says why
            except httpx.HTTPError:
                pass
            finally:
                response.close()
        raise to_ledgerlink_error(response, action=what)

    def get_json(self, path: str, params: Params | None = None, *, action: str = "") -> Any:
        """GET a JSON document."""
        response = self.request("GET", path, params=params, action=action)
        return self._json(response, action or f"GET /3/{path}")

    def get_bytes(self, path: str, params: Params | None = None, *, action: str = "") -> bytes:
        """GET a raw body (SIE files, attachments)."""
        return self.request("GET", path, params=params, action=action).content

    def download(
        self,
        path: str,
        out: BinaryIO,
        params: Params | None = None,
        *,
        action: str = "",
        not_json: bool = False,
    ) -> int:
        """GET a file and write its body into ``out``; return the bytes written.

        The request is paced and retried like any other (a 429 or 5xx before the body
        starts). A connection lost in the middle of the body is :class:`BackendUnavailable`,
        as is a body shorter than its ``Content-Length``: the caller discards what it got.
        With ``not_json`` a JSON answer is :class:`~.errors.NotFound` (an endpoint that
        answers a file or a folder's description sent the description).

        The auth flow reads every answer whole before handing it on (it needs the body of a
        token answer), so a file is held in memory once while it is written; Fortnox's
        documents are a few MB at most.
        """
        what = action or f"GET /3/{path.lstrip('/')}"
        request = self.http.build_request(
            "GET",
            path.lstrip("/"),
            params=dict(params) if params else None,
            headers={"Accept": "*/*"},  # a file, not JSON
        )
        response = self._send(request, what, stream=True)
        if not_json and response.headers.get("content-type", "").startswith("application/json"):
            response.close()
            raise NotFound(f"{what}: Fortnox sent a description, not the file")
        written = 0
        try:
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                out.write(chunk)
                written += len(chunk)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(
                f"{what}: the download broke off after {written} bytes ({exc or type(exc)}); "
                f"run the same command again to fetch it"
            ) from exc
        finally:
            response.close()
        expected = response.headers.get("content-length")
        plain = "content-encoding" not in response.headers  # else it counts compressed bytes
        if plain and expected is not None and expected.isdigit() and int(expected) != written:
            raise BackendUnavailable(
                f"{what}: got {written} of {expected} bytes; run the same command again"
            )
        return written

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        if not response.content:
            return {}
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            kind = response.headers.get("content-type", "unknown type")
            raise BackendError(
                f"{what}: Fortnox answered with {kind}, not JSON (API down or wrong `base_url`?)"
            ) from exc

    # -- concurrency ------------------------------------------------------------------------

    def map_ordered(
        self, fn: Callable[[T], R], items: Iterable[T], *, ahead: int | None = None
    ) -> Iterator[R]:
        """``map(fn, items)`` on the worker threads, in order, with at most ``ahead`` in flight.

        The first ``ahead`` calls are submitted *now*, not on the first ``next()``, so work
        overlaps with whatever the caller does meanwhile. The bound keeps memory flat however
        many items there are; the limiter paces the requests.
        """
        window = ahead or self.settings.max_workers * 2
        source = iter(items)
        pending: deque[Future[R]] = deque(
            self.pool.submit(fn, item) for item in itertools.islice(source, window)
        )
        return self._drain(fn, source, pending)

    def _drain(
        self, fn: Callable[[T], R], source: Iterator[T], pending: deque[Future[R]]
    ) -> Iterator[R]:
        try:
            while pending:
                result = pending.popleft().result()
                for item in itertools.islice(source, 1):
                    pending.append(self.pool.submit(fn, item))
                yield result
        finally:
            for future in pending:
                future.cancel()

    def paginate(
        self,
        path: str,
        key: str,
        params: Params | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        on_page: Callable[[int, int], None] | None = None,
        action: str = "",
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a list endpoint (``key`` is the plural key, e.g. ``Invoices``).

        Page 1 tells ``@TotalPages``; the other pages are fetched concurrently and yielded in
        order. ``on_page(done, total)`` reports progress.
        """
        limit = min(page_size, MAX_PAGE_SIZE)
        base = {**(params or {}), "limit": limit}
        what = action or f"listing /3/{path}"

        def fetch(page: int) -> list[dict[str, Any]]:
            body = self.get_json(path, {**base, "page": page}, action=what)
            return self._items(body, key, what)

        first = self.get_json(path, {**base, "page": 1}, action=what)
        meta = _meta(first)
        first_items = self._items(first, key, what)
        total = meta[1] if meta else 1
        rest = self.map_ordered(fetch, range(2, total + 1)) if meta else iter(())
        if on_page:
            on_page(1, total)
        yield from first_items
        if meta is None:
            # No MetaInformation: keep going while pages come back full.
            page, items = 1, first_items
            while len(items) >= limit:
                page += 1
                items = fetch(page)
                yield from items
            return
        for done, items in enumerate(rest, start=2):
            if on_page:
                on_page(done, total)
            yield from items

    @staticmethod
    def _items(body: Any, key: str, what: str) -> list[dict[str, Any]]:
        if not isinstance(body, dict):
            raise BackendError(f"{what}: Fortnox sent an unexpected answer")
        lowered = key.lower()
        for name, value in body.items():
            if name.lower() == lowered and isinstance(value, list):
                return value
        raise BackendError(f"{what}: the answer has no {key!r} list")


def tenant_of(access_token: str) -> str | None:
    """The ``tenantId`` claim of a Fortnox access token (a JWT), read without verifying
    it (only to name the rate budget); None when the token is not a readable JWT."""
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    tenant = claims.get("tenantId") if isinstance(claims, dict) else None
    return str(tenant) if tenant is not None else None


_SSL: list[ssl.SSLContext] = []
_SSL_LOCK = threading.Lock()


def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client of the process (what httpx makes by
    default: the system's or certifi's CA bundle). Loading the bundle costs tens of
    milliseconds of CPU; a batch opens a client per company, so it is loaded once."""
    with _SSL_LOCK:
        if not _SSL:
            _SSL.append(httpx.create_ssl_context())
        return _SSL[0]
