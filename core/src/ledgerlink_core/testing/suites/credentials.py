"""Credentials: bad settings fail before I/O; bad credentials fail with AuthenticationError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from ledgerlink_core.backend import AccountingBackend, ConnectionInfo
from ledgerlink_core.config import is_secret
from ledgerlink_core.errors import AuthenticationError, ConfigError
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing.noio import RequestLog, watch_io
from ledgerlink_core.testing.suites.base import KitBase

__all__ = [
    "CredentialsTests",
]


class CredentialsTests(KitBase):
    """Airbyte's "invalid config must fail", made precise: which error, and when."""

    def test_invalid_settings_fail_before_io(
        self,
        runtime: Runtime,
        backend_name: str,
        invalid_settings: dict[str, str],
        forbidding_transport: Any,
        sample_dir: Path,
        http_log: RequestLog,
        backend_class: type[AccountingBackend],
    ) -> None:
        runtime.file_config  # noqa: B018 -- core's own config file is not the backend's I/O
        with watch_io([sample_dir]) as io, pytest.raises(ConfigError) as caught:
            runtime.open_backend(backend_name, invalid_settings, transport=forbidding_transport)
        assert not io, f"invalid settings were not caught before I/O:\n{io.summary()}"
        assert not http_log.requests
        message = str(caught.value)
        assert "\n" not in message, "a settings error must be one line"
        assert backend_name in message, "the error must name the backend's settings"

    def test_valid_settings_connect(self, backend: AccountingBackend, backend_name: str) -> None:
        info = backend.check_connection()
        assert isinstance(info, ConnectionInfo)
        assert info.backend == backend_name

    def test_invalid_credentials_fail_with_authentication_error(
        self,
        runtime: Runtime,
        backend_name: str,
        backend_class: type[AccountingBackend],
        invalid_credentials: dict[str, str] | None,
        kit_transport: Any,
    ) -> None:
        if invalid_credentials is None:
            secrets = [
                n for n, f in backend_class.Settings.model_fields.items() if is_secret(f.annotation)
            ]
            assert not secrets, (
                f"settings {secrets} are secrets, so provide an `invalid_credentials` fixture "
                "with wrong values for them"
            )
            return
        with (
            runtime.open_backend(backend_name, invalid_credentials, transport=kit_transport) as b,
            pytest.raises(AuthenticationError) as caught,
        ):
            b.check_connection()
        message = str(caught.value)
        assert "\n" not in message, "an authentication error must be one line"
        resolved = runtime.backend_settings(backend_name, invalid_credentials)
        for value in resolved.__dict__.values():
            if isinstance(value, SecretStr) and value.get_secret_value():
                assert value.get_secret_value() not in message, "the error shows a secret"
