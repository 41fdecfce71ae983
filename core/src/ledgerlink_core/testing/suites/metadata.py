"""Metadata: capabilities are pure and honest; settings are typed, schema'd and keep secrets."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from ledgerlink_core.backend import AccountingBackend, BackendSettings
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.config import is_secret
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing.noio import RequestLog, watch_io
from ledgerlink_core.testing.suites.base import KitBase

__all__ = [
    "MetadataTests",
]

#: Setting names that must hold a SecretStr.
SECRET_NAME = re.compile(
    r"secret|token|password|passwd|passphrase|api_?key|private_?key|credential", re.I
)

#: Method a backend overrides for each capability that has one.
METHODS: dict[str, tuple[Capability, ...]] = {
    "import_bookkeeping": (Capability.IMPORT_BOOKKEEPING,),
    "import_subledger_history": (
        Capability.IMPORT_SUBLEDGER_CUSTOMER,
        Capability.IMPORT_SUBLEDGER_SUPPLIER,
    ),
    "list_attachments": (Capability.IMPORT_ATTACHMENTS,),
    "download_attachment": (Capability.IMPORT_ATTACHMENTS,),
    "export_sink": (Capability.EXPORT_VOUCHERS,),
}
#: Capabilities that only make sense on top of another.
REFINES: dict[Capability, Capability] = {
    Capability.EXPORT_ATTACHMENTS: Capability.EXPORT_VOUCHERS,
    Capability.EXPORT_IDEMPOTENT: Capability.EXPORT_VOUCHERS,
    Capability.LOCKED_PERIODS: Capability.EXPORT_VOUCHERS,
}


def _overrides(cls: type[AccountingBackend], method: str) -> bool:
    return getattr(cls, method) is not getattr(AccountingBackend, method)


class MetadataTests(KitBase):
    """What the backend says about itself, checked without doing any I/O."""

    def test_capabilities_are_pure(
        self, backend_class: type[AccountingBackend], sample_dir: Path, http_log: RequestLog
    ) -> None:
        with watch_io([sample_dir]) as io:
            first = backend_class.capabilities()
            second = backend_class.capabilities()
        assert not io, f"capabilities() did I/O:\n{io.summary()}"
        assert isinstance(first, Capabilities)
        assert first == second, "capabilities() must return the same answer every time"
        assert all(isinstance(c, Capability) for c in first.supported)

    def test_capabilities_match_the_methods(self, backend_class: type[AccountingBackend]) -> None:
        caps = backend_class.capabilities()
        problems = []
        for method, needed in METHODS.items():
            declared = [c for c in needed if c in caps]
            if _overrides(backend_class, method) and not declared:
                problems.append(
                    f"{method}() is implemented but none of {[str(c) for c in needed]} is declared"
                )
            if declared and not _overrides(backend_class, method):
                problems.append(f"{[str(c) for c in declared]} declared but {method}() is not")
        for cap, base in REFINES.items():
            if cap in caps and base not in caps:
                problems.append(f"{cap} is declared without {base}")
        if caps.max_attachment_bytes is not None:
            if Capability.EXPORT_ATTACHMENTS not in caps:
                problems.append(
                    "max_attachment_bytes is set but export.attachments is not declared"
                )
            elif caps.max_attachment_bytes <= 0:
                problems.append("max_attachment_bytes must be positive")
        assert not problems, "; ".join(problems)

    def test_settings_model_has_a_json_schema(self, backend_class: type[AccountingBackend]) -> None:
        settings_cls = backend_class.Settings
        assert issubclass(settings_cls, BackendSettings)
        assert settings_cls.model_config.get("extra") == "forbid", (
            "Settings must forbid unknown fields, so a mistyped setting is an error"
        )
        schema = settings_cls.model_json_schema()
        json.dumps(schema)
        assert schema.get("type") == "object"
        props = schema.get("properties", {})
        assert set(props) == set(settings_cls.model_fields)
        for name, field in settings_cls.model_fields.items():
            assert field.annotation is not None, f"setting {name} has no type"

    def test_secret_settings_are_secret_str(self, backend_class: type[AccountingBackend]) -> None:
        plain = [
            name
            for name, field in backend_class.Settings.model_fields.items()
            if SECRET_NAME.search(name) and not is_secret(field.annotation)
        ]
        assert not plain, f"declare these settings as pydantic.SecretStr: {', '.join(plain)}"

    def test_secrets_never_leak(
        self,
        runtime: Runtime,
        backend_name: str,
        settings: dict[str, str],
        backend: AccountingBackend,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        resolved = runtime.backend_settings(backend_name, settings)
        secrets = [
            value.get_secret_value()
            for value in resolved.__dict__.values()
            if isinstance(value, SecretStr) and value.get_secret_value()
        ]
        # Logs too: connect with every logger at DEBUG (HTTP clients log requests there).
        with caplog.at_level(logging.DEBUG):
            backend.check_connection()
        shown = [
            caplog.text,
            repr(resolved),
            str(resolved),
            resolved.model_dump_json(),
            json.dumps(resolved.model_dump(mode="json")),
            repr(backend),
            str(backend),
        ]
        for secret in secrets:
            for text in shown:
                assert secret not in text, f"a secret setting leaks into {text[:60]!r}..."

    def test_opening_does_no_io(
        self,
        runtime: Runtime,
        backend_name: str,
        settings: dict[str, str],
        forbidding_transport: Any,
        sample_dir: Path,
        http_log: RequestLog,
        backend_class: type[AccountingBackend],
    ) -> None:
        runtime.file_config  # noqa: B018 -- core reads its config file; the backend must not
        with watch_io([sample_dir]) as io:
            opened = runtime.open_backend(backend_name, settings, transport=forbidding_transport)
        try:
            assert not io, f"creating the backend did I/O (do it on first use):\n{io.summary()}"
            assert not http_log.requests, f"creating the backend sent {http_log.requests}"
        finally:
            opened.close()
