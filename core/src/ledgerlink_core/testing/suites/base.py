"""Fixtures every kit group shares, and the capability gate.

A backend author's test class overrides the *author fixtures* (``backend_name``, ``settings``
and, where they apply, ``invalid_settings``, ``invalid_credentials``, ``transport``,
``export_settings``, ``subledger_as_of``, ``locked_date``). The *kit fixtures* build an
isolated :class:`~ledgerlink_core.runtime.Runtime` and open the backend through
:meth:`Runtime.open_backend`, so the real entry point, config resolution and capability check
are what the tests exercise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledgerlink_core.backend import AccountingBackend, BookkeepingRequest
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.export.inputs import export_items
from ledgerlink_core.model import Bookkeeping, Voucher, VoucherExport
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing import samples
from ledgerlink_core.testing.noio import RequestLog, httpx_available, recording_transport

__all__ = [
    "REQUIRES_MARKER",
    "KitBase",
    "content_key",
    "requires",
]

#: The marker a kit test carries to say which capabilities it needs.
REQUIRES_MARKER = "ledgerlink_requires"


def requires(*caps: Capability) -> pytest.MarkDecorator:
    """Mark a kit test as needing ``caps``; it runs only when the backend declares them all."""
    return getattr(pytest.mark, REQUIRES_MARKER)(*caps)


def content_key(v: Voucher) -> tuple[Any, ...]:
    """What must survive a trip through a backend: date, text and the rows (order-free).

    Series and number are left out: the receiving backend numbers vouchers itself.
    """
    rows = sorted(
        (r.account, r.amount, tuple(sorted((o.dimension, o.number) for o in r.objects)))
        for r in v.rows
    )
    return (v.date, v.text, tuple(rows))


class KitBase:
    """Shared fixtures of the conformance kit. Subclass :class:`BackendConformance`, not this."""

    # --- author fixtures ------------------------------------------------------------------------

    @pytest.fixture
    def backend_name(self) -> str:
        """The entry-point name of the backend under test (override this)."""
        pytest.fail("override the `backend_name` fixture with your backend's entry-point name")

    @pytest.fixture
    def settings(self) -> dict[str, str]:
        """Valid settings (``--set`` style strings) pointing at the sample data."""
        return {}

    @pytest.fixture
    def invalid_settings(
        self, backend_class: type[AccountingBackend], settings: dict[str, str]
    ) -> dict[str, str]:
        """Settings that must fail validation: by default the valid ones without every
        required field (or, when nothing is required, with a setting that does not exist)."""
        fields = backend_class.Settings.model_fields
        required = {n for n, f in fields.items() if f.is_required()}
        if not required:
            return {**settings, "no_such_setting_from_the_kit": "x"}
        return {k: v for k, v in settings.items() if k not in required}

    @pytest.fixture
    def invalid_credentials(self) -> dict[str, str] | None:
        """Settings with wrong credentials, for which ``check_connection()`` must raise
        ``AuthenticationError``. None declares that the backend has no credentials; the kit
        then checks that its settings have no secret fields."""
        return None

    @pytest.fixture
    def transport(self) -> Any:
        """An ``httpx`` transport standing in for the service (``httpx.MockTransport``), or
        None for the real network (an emulator on 127.0.0.1) or a backend without HTTP."""
        return None

    @pytest.fixture
    def sample(self) -> Bookkeeping:
        """The bookkeeping the backend's data was made from (default: the golden sample)."""
        return samples.small_company()

    @pytest.fixture
    def sample_dir(self, tmp_path: Path) -> Path:
        """A folder for the backend's sample data. Reading it counts as I/O in the kit's
        "before any I/O" checks, so put the files the backend reads here."""
        path = tmp_path / "sample"
        path.mkdir(exist_ok=True)
        return path

    @pytest.fixture
    def subledger_as_of(self, sample: Bookkeeping) -> dt.date:
        """The date subledgers are imported at: by default the end of the sample's year,
        when the sample has open invoices on both sides."""
        year = sample.fiscal_year(0)
        return year.end if year is not None else dt.date.today()

    @pytest.fixture
    def export_settings(self, settings: dict[str, str]) -> dict[str, str]:
        """Settings of the backend that export tests write into (default: ``settings``).

        It must accept the sample's accounts in its current fiscal year."""
        return settings

    @pytest.fixture
    def locked_date(self) -> dt.date | None:
        """A date in a locked period of the export target (needed for ``locked_periods``)."""
        return None

    @pytest.fixture
    def ledgerlink_environ(self, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
        """The environment the kit's runtime sees: fresh config and data directories and no
        extension plugins, so nothing from the developer's machine leaks in."""
        home = tmp_path_factory.mktemp("ledgerlink-kit")
        return {
            "LEDGERLINK_CONFIG_DIR": str(home / "config"),
            "LEDGERLINK_DATA_DIR": str(home / "data"),
            "LEDGERLINK_PLUGINS": "",
        }

    # --- kit fixtures ---------------------------------------------------------------------------

    @pytest.fixture
    def runtime(self, ledgerlink_environ: dict[str, str]) -> Runtime:
        """An isolated runtime (its own config dir, no extension plugins)."""
        return Runtime(environ=ledgerlink_environ)

    @pytest.fixture
    def backend_class(self, runtime: Runtime, backend_name: str) -> type[AccountingBackend]:
        """The backend class, loaded through its entry point."""
        return runtime.registry.backend_class(backend_name)

    @pytest.fixture
    def capabilities(self, backend_class: type[AccountingBackend]) -> Capabilities:
        """What the backend declares."""
        return backend_class.capabilities()

    @pytest.fixture
    def http_log(self) -> RequestLog:
        """Every HTTP request the backend made through the kit's transport."""
        return RequestLog()

    @pytest.fixture
    def kit_transport(self, transport: Any, http_log: RequestLog) -> Any:
        """The author's transport (or the real network), wrapped to record every request."""
        if not httpx_available():
            return transport
        return recording_transport(transport, http_log)

    @pytest.fixture
    def forbidding_transport(self, http_log: RequestLog) -> Any:
        """A transport on which every request fails (and is recorded)."""
        if not httpx_available():
            return None
        return recording_transport(None, http_log, forbid=True)

    @pytest.fixture
    def backend(
        self, runtime: Runtime, backend_name: str, settings: dict[str, str], kit_transport: Any
    ) -> Iterator[AccountingBackend]:
        """The backend opened with ``settings``, closed after the test."""
        with runtime.open_backend(backend_name, settings, transport=kit_transport) as opened:
            yield opened

    @pytest.fixture
    def book(self, backend: AccountingBackend) -> Bookkeeping:
        """The current fiscal year, imported once for the test."""
        return backend.import_bookkeeping(BookkeepingRequest())

    @pytest.fixture(autouse=True)
    def _ledgerlink_capability_gate(self, request: pytest.FixtureRequest) -> None:
        """Run a capability-gated test only when the backend declares what it needs.

        Undeclared capabilities are not silently passed: ``test_undeclared_capabilities_
        raise_not_supported`` asserts that each one fails with ``NotSupported`` before I/O.
        """
        needed: list[Capability] = []
        for mark in request.node.iter_markers(REQUIRES_MARKER):
            needed.extend(Capability(c) for c in mark.args)
        if not needed:
            return  # ungated tests load the backend themselves (and report a broken one)
        capabilities: Capabilities = request.getfixturevalue("capabilities")
        backend_name: str = request.getfixturevalue("backend_name")
        missing = [str(c) for c in needed if c not in capabilities]
        if missing:
            pytest.skip(
                f"{backend_name} does not declare {', '.join(missing)} "
                "(test_undeclared_capabilities_raise_not_supported checks it refuses them)"
            )

    # --- helpers --------------------------------------------------------------------------------

    def export_items(self, sample: Bookkeeping, *, count: int = 3) -> list[VoucherExport]:
        """New vouchers to export, made from the sample: unnumbered, marked as kit exports,
        spread over the series and using dimensions, row texts and quantities."""
        chosen: list[Voucher] = []
        # One voucher per series, preferring those with dimensions on their rows, then the
        # latest (a target usually locks the start of its year, not the end).
        ranked = sorted(
            sample.vouchers,
            key=lambda v: (not any(r.objects for r in v.rows), -v.date.toordinal()),
        )
        for v in ranked:
            if v.series not in {c.series for c in chosen}:
                chosen.append(v)
        fresh = [
            v.model_copy(update={"number": None, "text": f"{v.text} (kit export {n})"})
            for n, v in enumerate(chosen[:count], 1)
        ]
        return export_items(fresh, origin="ledgerlink conformance kit")
