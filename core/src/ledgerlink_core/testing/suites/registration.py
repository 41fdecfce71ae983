"""Registration: the backend is found the way the CLI finds it."""

from __future__ import annotations

import importlib.metadata as md
import re

from ledgerlink_core.backend import AccountingBackend
from ledgerlink_core.registry import BACKENDS
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing.suites.base import KitBase

__all__ = [
    "RegistrationTests",
]

# PEP 440, loosely: a release segment, optional pre/post/dev parts and a local label.
_VERSION = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[A-Za-z0-9.]+)?$")


class RegistrationTests(KitBase):
    """The entry point resolves, names agree, and the distribution has a version."""

    def test_entry_point_is_declared_once(self, backend_name: str) -> None:
        eps = [ep for ep in md.entry_points(group=BACKENDS) if ep.name == backend_name]
        assert eps, (
            f"no entry point {backend_name!r} in group {BACKENDS!r}: add "
            f'[project.entry-points."{BACKENDS}"] {backend_name} = "pkg.module:Class" '
            "to pyproject.toml and reinstall the package"
        )
        values = {ep.value for ep in eps}
        assert len(values) == 1, f"several distributions declare {backend_name!r}: {values}"

    def test_entry_point_loads_the_backend_class(self, runtime: Runtime, backend_name: str) -> None:
        cls = runtime.registry.backend_class(backend_name)  # stevedore, as the CLI does
        assert isinstance(cls, type) and issubclass(cls, AccountingBackend)
        assert cls.name == backend_name, (
            f"{cls.__name__}.name is {cls.name!r} but the entry point is {backend_name!r}"
        )

    def test_distribution_has_a_version(self, backend_name: str) -> None:
        ep = next(ep for ep in md.entry_points(group=BACKENDS) if ep.name == backend_name)
        dist = ep.dist
        assert dist is not None, f"entry point {backend_name!r} belongs to no distribution"
        assert dist.metadata["Name"], "the distribution has no name"
        assert _VERSION.match(dist.version or ""), (
            f"distribution {dist.metadata['Name']!r} has version {dist.version!r}, "
            "not a PEP 440 version"
        )

    def test_listed_by_ledgerlink_backends(self, runtime: Runtime, backend_name: str) -> None:
        rows = {r.name: r for r in runtime.registry.list_backends()}
        row = rows.get(backend_name)
        assert row is not None, f"`ledgerlink backends` does not list {backend_name!r}"
        assert row.status == "ok", f"`ledgerlink backends` shows an error: {row.error}"
        declared = runtime.registry.backend_class(backend_name).capabilities().supported
        assert set(row.capabilities) == {str(c) for c in declared}
