"""Discovery: which backends and extension plugins are installed, and loading them safely.

stevedore decides which code is installed and which backend is used; pluggy decides how every
installed extension plugin is asked to contribute. Neither does the other's job:

* backends (``ledgerlink.backends``): exactly one is picked by name with a ``DriverManager``;
  listing them uses an ``ExtensionManager`` that records load failures instead of raising;
* extension plugins (``ledgerlink.plugins``): loaded with an ``ExtensionManager`` (failures
  recorded) and registered into a pluggy ``PluginManager`` carrying :mod:`hookspecs`.

Nothing is imported or loaded until asked: a :class:`Registry` is built per CLI invocation or
per test, and one broken plugin never breaks unrelated commands.
"""

from __future__ import annotations

import importlib.metadata as md
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy
from stevedore import DriverManager, ExtensionManager, NamedExtensionManager
from stevedore.exception import MultipleMatches, NoMatches

from ledgerlink_core import hookspecs
from ledgerlink_core.backend import AccountingBackend
from ledgerlink_core.errors import BackendLoadError, BackendNotFound, InputError

__all__ = [
    "BACKENDS",
    "PLUGINS",
    "BackendInfo",
    "EntryPointInfo",
    "PluginInfo",
    "Registry",
]

BACKENDS = "ledgerlink.backends"
PLUGINS = "ledgerlink.plugins"


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class EntryPointInfo:
    """An entry point with the distribution that declares it (without importing it)."""

    name: str
    group: str
    value: str
    distribution: str | None
    version: str | None


@dataclass(frozen=True)
class BackendInfo:
    """One row of ``ledgerlink backends``."""

    name: str
    distribution: str | None
    version: str | None
    status: str
    """``ok`` or ``error``."""
    capabilities: tuple[str, ...] = ()
    error: str | None = None
    entry_point: str = ""


@dataclass(frozen=True)
class PluginInfo:
    """One row of ``ledgerlink plugins``."""

    name: str
    distribution: str | None
    version: str | None
    status: str
    """``ok``, ``error`` or ``disabled``."""
    hooks: tuple[str, ...] = ()
    error: str | None = None
    entry_point: str = ""


@dataclass
class Registry:
    """Installed backends and extension plugins, loaded lazily and with failures isolated.

    ``allow`` (``LEDGERLINK_PLUGINS``) is an allow-list of extension-plugin names (an empty
    value allows none); ``block`` (``LEDGERLINK_DISABLE_PLUGINS``) names plugins to skip.
    Both apply to the ``ledgerlink.plugins`` group; backends are always selected by name.
    """

    allow: frozenset[str] | None = None
    block: frozenset[str] = frozenset()
    load_plugins: bool = True
    _pm: pluggy.PluginManager | None = field(default=None, init=False, repr=False)
    _plugin_rows: list[PluginInfo] = field(default_factory=list, init=False, repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **kwargs: Any) -> Registry:
        """Build a registry honouring ``LEDGERLINK_PLUGINS`` and ``LEDGERLINK_DISABLE_PLUGINS``."""
        env = os.environ if environ is None else environ
        allow = None
        if "LEDGERLINK_PLUGINS" in env:
            allow = frozenset(n for n in _split(env["LEDGERLINK_PLUGINS"]))
        block = frozenset(_split(env.get("LEDGERLINK_DISABLE_PLUGINS", "")))
        return cls(allow=allow, block=block, **kwargs)

    # --- backends -------------------------------------------------------------------------------

    def backend_entry_points(self) -> list[EntryPointInfo]:
        """Every declared backend, without importing any of them."""
        return _entry_points(BACKENDS)

    def backend_names(self) -> list[str]:
        """Names of the installed backends, sorted, without importing any of them."""
        return sorted({ep.name for ep in self.backend_entry_points()})

    def backend_class(self, name: str) -> type[AccountingBackend]:
        """Import and return the one backend called ``name``.

        Raises :class:`BackendNotFound` when no backend has that name and
        :class:`BackendLoadError` when it fails to import or is not an ``AccountingBackend``.
        Other backends are never imported.
        """
        try:
            manager: DriverManager[Any] = DriverManager(BACKENDS, name, invoke_on_load=False)
        except NoMatches as exc:
            raise BackendNotFound(name, self.backend_names()) from exc
        except MultipleMatches as exc:
            raise BackendLoadError(name, "several installed distributions declare it") from exc
        except Exception as exc:  # the plugin's own import error, whatever it is
            raise BackendLoadError(name, exc) from exc
        return _checked_backend(name, manager.driver)

    def list_backends(self) -> list[BackendInfo]:
        """Every installed backend with its capabilities; broken ones as ``error`` rows."""
        loaded, failures = _load_backends()
        rows = []
        for ep in self.backend_entry_points():
            if ep.name in loaded:
                try:
                    cls = _checked_backend(ep.name, loaded[ep.name])
                    caps = tuple(sorted(str(c) for c in cls.capabilities().supported))
                except Exception as exc:
                    rows.append(_backend_error(ep, _error_text(exc)))
                    continue
                rows.append(
                    BackendInfo(
                        name=ep.name,
                        distribution=ep.distribution,
                        version=ep.version,
                        status="ok",
                        capabilities=caps,
                        entry_point=ep.value,
                    )
                )
            else:
                rows.append(_backend_error(ep, failures.get(ep.name, "failed to load")))
        return sorted(rows, key=lambda r: r.name)

    def backend_for_source(
        self, source: Path, name: str | None = None
    ) -> tuple[str, dict[str, str]]:
        """The backend that reads the file ``source``, and the settings that point it there.

        With ``name``, only that backend is asked; otherwise every installed backend is
        (:meth:`AccountingBackend.accepts_source`), broken ones skipped as in
        :meth:`list_backends`. Raises :class:`InputError` when no backend, or more than one,
        reads it (the message names the candidates and says to choose with ``--from``).
        """
        if name is not None:
            overrides = self.backend_class(name).accepts_source(source)
            if overrides is None:
                raise InputError(f"backend {name!r} does not read a file like this", path=source)
            return name, overrides
        loaded, _failures = _load_backends()
        matches: dict[str, dict[str, str]] = {}
        for ep_name, plugin in sorted(loaded.items()):
            try:
                overrides = _checked_backend(ep_name, plugin).accepts_source(source)
            except Exception:  # a broken backend is skipped here; `ledgerlink doctor` names it
                continue
            if overrides is not None:
                matches[ep_name] = overrides
        if len(matches) == 1:
            ((found, overrides),) = matches.items()
            return found, overrides
        if not matches:
            raise InputError(
                "no installed backend reads a file like this; say where to import from with "
                "--from BACKEND",
                path=source,
            )
        raise InputError(
            f"several backends read a file like this ({', '.join(matches)}); choose one with "
            "--from BACKEND",
            path=source,
        )

    # --- extension plugins ----------------------------------------------------------------------

    @property
    def pm(self) -> pluggy.PluginManager:
        """The pluggy manager, with every allowed extension plugin registered (loaded once)."""
        if self._pm is None:
            self._pm = self._build_plugin_manager()
        return self._pm

    @property
    def hook(self) -> Any:
        """Shortcut for ``self.pm.hook``: call ``registry.hook.ledgerlink_<name>(...)``."""
        return self.pm.hook

    def list_plugins(self) -> list[PluginInfo]:
        """Every extension plugin with the hooks it implements; broken ones as ``error``."""
        self.pm  # noqa: B018 -- loading fills the rows
        return sorted(self._plugin_rows, key=lambda r: r.name)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register an extension plugin object directly (tests, embedding applications)."""
        self.pm.register(plugin, name=name)
        self.pm.check_pending()

    def _build_plugin_manager(self) -> pluggy.PluginManager:
        from ledgerlink_core import _builtin_hooks

        pm = pluggy.PluginManager("ledgerlink")
        pm.add_hookspecs(hookspecs)
        pm.register(_builtin_hooks, name="ledgerlink.builtin")
        if not self.load_plugins:
            return pm
        infos = {ep.name: ep for ep in _entry_points(PLUGINS)}
        wanted = {
            name
            for name in infos
            if (self.allow is None or name in self.allow) and name not in self.block
        }
        for name in sorted(set(infos) - wanted):
            self._plugin_rows.append(_plugin_row(infos[name], "disabled"))

        failures: dict[str, str] = {}

        def on_fail(_mgr: object, ep: md.EntryPoint, exc: BaseException) -> None:
            failures[ep.name] = _error_text(exc)

        # Only the wanted plugins are imported: a disabled broken plugin costs nothing.
        manager: NamedExtensionManager[Any] = NamedExtensionManager(
            PLUGINS, names=sorted(wanted), on_load_failure_callback=on_fail
        )
        loaded = {ext.name: ext.plugin for ext in manager}
        for name in sorted(wanted):
            ep = infos[name]
            if name not in loaded:
                self._plugin_rows.append(
                    _plugin_row(ep, "error", error=failures.get(name, "failed to load"))
                )
                continue
            try:
                pm.register(loaded[name], name=name)
                pm.check_pending()
            except Exception as exc:  # a bad hookimpl signature, an unknown hook
                plugin = pm.get_plugin(name)
                if plugin is not None:
                    pm.unregister(plugin)
                self._plugin_rows.append(_plugin_row(ep, "error", error=_error_text(exc)))
                continue
            hooks = tuple(sorted(h.name for h in pm.get_hookcallers(loaded[name]) or ()))
            self._plugin_rows.append(_plugin_row(ep, "ok", hooks=hooks))
        return pm


def _split(value: str) -> Iterable[str]:
    return (part.strip() for part in value.split(",") if part.strip())


def _load_backends() -> tuple[dict[str, Any], dict[str, str]]:
    """Import every installed backend: the loaded objects by name, and the load errors."""
    failures: dict[str, str] = {}

    def on_fail(_mgr: object, ep: md.EntryPoint, exc: BaseException) -> None:
        failures[ep.name] = _error_text(exc)

    manager: ExtensionManager[Any] = ExtensionManager(BACKENDS, on_load_failure_callback=on_fail)
    return {ext.name: ext.plugin for ext in manager}, failures


def _entry_points(group: str) -> list[EntryPointInfo]:
    rows = {}
    for ep in md.entry_points(group=group):
        dist = getattr(ep, "dist", None)
        rows[(ep.name, ep.value)] = EntryPointInfo(
            name=ep.name,
            group=group,
            value=ep.value,
            distribution=dist.metadata["Name"] if dist is not None else None,
            version=dist.version if dist is not None else None,
        )
    return sorted(rows.values(), key=lambda e: e.name)


def _checked_backend(name: str, obj: object) -> type[AccountingBackend]:
    if not (isinstance(obj, type) and issubclass(obj, AccountingBackend)):
        raise BackendLoadError(name, f"{obj!r} is not an AccountingBackend subclass")
    declared = getattr(obj, "name", None)
    if declared != name:
        raise BackendLoadError(
            name, f"{obj.__name__}.name is {declared!r} but the entry point is {name!r}"
        )
    return obj


def _backend_error(ep: EntryPointInfo, error: str) -> BackendInfo:
    return BackendInfo(
        name=ep.name,
        distribution=ep.distribution,
        version=ep.version,
        status="error",
        error=error,
        entry_point=ep.value,
    )


def _plugin_row(
    ep: EntryPointInfo, status: str, *, hooks: tuple[str, ...] = (), error: str | None = None
) -> PluginInfo:
    return PluginInfo(
        name=ep.name,
        distribution=ep.distribution,
        version=ep.version,
        status=status,
        hooks=hooks,
        error=error,
        entry_point=ep.value,
    )
