"""The backend contract's own mechanics: the settings model named by the type parameter."""

from __future__ import annotations

from typing import ClassVar

import pytest
from ledgerlink_core import (
    AccountingBackend,
    BackendContext,
    BackendSettings,
    Capabilities,
    NotSupported,
)


class FolderSettings(BackendSettings):
    directory: str


class FolderBackend(AccountingBackend[FolderSettings]):
    name: ClassVar[str] = "folder"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(supported=frozenset())


class SubFolderBackend(FolderBackend):
    """A subclass inherits its parent's settings model."""


class Bare(AccountingBackend):
    name: ClassVar[str] = "bare"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(supported=frozenset())


def test_the_type_parameter_is_the_settings_model() -> None:
    assert FolderBackend.Settings is FolderSettings
    assert SubFolderBackend.Settings is FolderSettings
    assert Bare.Settings is BackendSettings


def test_settings_are_kept_as_given(tmp_path: object) -> None:
    settings = FolderSettings(directory="/books")
    ctx = BackendContext(backend_name="folder", config_dir=tmp_path, data_dir=tmp_path)  # type: ignore[arg-type]
    backend = FolderBackend(settings, ctx)
    assert backend.settings is settings and backend.settings.directory == "/books"


def test_an_undeclared_export_is_refused_by_the_base_class(tmp_path: object) -> None:
    ctx = BackendContext(backend_name="bare", config_dir=tmp_path, data_dir=tmp_path)  # type: ignore[arg-type]
    with Bare(BackendSettings(), ctx) as backend, pytest.raises(NotSupported) as caught:
        backend.export_sink()
    assert caught.value.missing == ("export.vouchers",)
    assert backend.target_id() == ""
