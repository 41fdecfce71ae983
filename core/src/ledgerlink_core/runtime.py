"""The runtime: one object per CLI invocation (or test) tying config, registry and backends.

Every command, including those that plugins contribute, finds it as ``ctx.obj``. It opens
backends the one right way: capabilities checked first (no I/O), then settings resolved and
validated, then the backend created with its :class:`BackendContext`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ledgerlink_core import config
from ledgerlink_core.backend import AccountingBackend, BackendContext, BackendSettings
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.connections import Connection, Connections
from ledgerlink_core.progress import NullProgress, Progress
from ledgerlink_core.registry import Registry
from ledgerlink_core.tokens import TokenStore

__all__ = [
    "Runtime",
]

log = logging.getLogger("ledgerlink")


class Runtime:
    """Config, registry and backend factory for one invocation."""

    def __init__(
        self,
        *,
        registry: Registry | None = None,
        environ: Mapping[str, str] | None = None,
        config_path: Path | None = None,
        progress: Progress | None = None,
        company: str | None = None,
    ) -> None:
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        self.company: str | None = company
        """The ``--company ORGNR|ALIAS`` of the invocation (None: the only connection)."""
        self._registry = registry
        self.config_path = config_path or config.config_file(self.environ)
        self.progress: Progress = progress or NullProgress()

    @property
    def registry(self) -> Registry:
        """The plugin registry (built on first use from ``LEDGERLINK_PLUGINS`` & co)."""
        if self._registry is None:
            self._registry = Registry.from_env(dict(self.environ))
        return self._registry

    @property
    def config_dir(self) -> Path:
        """Where the config file and tokens live."""
        return config.config_dir(self.environ)

    @property
    def data_dir(self) -> Path:
        """Where durable state (the export journal) lives."""
        return config.data_dir(self.environ)

    def for_company(self, company: str | None, *, progress: Progress | None = None) -> Runtime:
        """A runtime like this one (registry, environment, config) on another company: what
        a batch hands each company's job."""
        sibling = Runtime(
            registry=self.registry,
            environ=self.environ,
            config_path=self.config_path,
            progress=progress or self.progress,
            company=company,
        )
        return sibling

    @property
    def connections(self) -> Connections:
        """The logins, one per company and backend (:mod:`ledgerlink_core.connections`)."""
        return Connections(self.config_dir)

    def connection(self, backend: str, company: str | None = None) -> Connection | None:
        """The connection ``company`` (default: ``--company``) names, else the backend's
        only one; None when it has none. Several and no choice: ConfigError (exit 3)."""
        return self.connections.choose(backend, company or self.company)

    @cached_property
    def file_config(self) -> dict[str, Any]:
        """The parsed config file (empty when there is none)."""
        return config.load_config_file(self.config_path)

    def backend_settings(
        self, name: str, overrides: Mapping[str, str] | None = None
    ) -> BackendSettings:
        """The validated settings of backend ``name`` (flag > env > file > default)."""
        cls = self.registry.backend_class(name)
        return self._settings_for(name, cls, overrides or {})

    def open_backend(
        self,
        name: str,
        overrides: Mapping[str, str] | None = None,
        *,
        require: Iterable[Capability | str] = (),
        progress: Progress | None = None,
        transport: Any = None,
        company: str | None = None,
    ) -> AccountingBackend:
        """Create backend ``name`` for a job needing ``require``, on the connection
        ``company`` names (default: ``--company``, else the only one; chosen when the backend
        first asks for its token store).

        Missing capabilities raise :class:`~ledgerlink_core.errors.NotSupported` before
        settings are read or anything is touched.
        """
        cls = self.registry.backend_class(name)
        caps = [Capability(c) for c in require]
        cls.capabilities().require(name, *caps)
        settings = self._settings_for(name, cls, overrides or {})
        ctx = BackendContext(
            backend_name=name,
            config_dir=self.config_dir,
            data_dir=self.data_dir,
            progress=progress or self.progress,
            logger=logging.getLogger(f"ledgerlink.{name}"),
            transport=transport,
            token_store=lambda backend: self.token_store(backend, company=company),
        )
        return cls(settings, ctx)

    def token_store(
        self, backend: str, *, company: str | None = None, connection: str | None = None
    ) -> TokenStore:
        """Where ``backend`` keeps the OAuth tokens of a connection (``ledgerlink_token_store``
        hook): the one ``connection`` keys (an organisation number's digits) when given, else
        the one :meth:`connection` chooses, else the backend's single pre-connections store."""
        if connection is None:
            chosen = self.connection(backend, company)
            connection = chosen.key if chosen is not None else None
        store: TokenStore = self.registry.hook.ledgerlink_token_store(
            backend=backend, config_dir=self.config_dir, connection=connection
        )
        return store

    def legacy_token_store(self, backend: str) -> TokenStore:
        """The single store ``backend`` used before connections (``tokens/<backend>.json``)."""
        store: TokenStore = self.registry.hook.ledgerlink_token_store(
            backend=backend, config_dir=self.config_dir, connection=None
        )
        return store

    def notify(self, hook_name: str, **kwargs: Any) -> None:
        """Call a notification hook; a failing plugin is logged, never fatal."""
        hook = getattr(self.registry.hook, hook_name)
        for impl in hook.get_hookimpls():
            try:
                impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            except Exception as exc:  # a broken notifier must not fail the job
                log.warning("plugin %s failed in %s: %s", impl.plugin_name, hook_name, exc)

    def _settings_for(
        self, name: str, cls: type[AccountingBackend], overrides: Mapping[str, str]
    ) -> BackendSettings:
        return config.resolve_settings(
            name,
            cls.Settings,
            file_data=self.file_config,
            file_path=self.config_path,
            environ=self.environ,
            overrides=overrides,
            secret_resolver=self._resolve_secret,
        )

    def _resolve_secret(self, backend: str, field: str) -> SecretStr | None:
        result: SecretStr | None = self.registry.hook.ledgerlink_resolve_secret(
            backend=backend, field=field
        )
        return result
