"""The class a backend author subclasses: every group of the kit in one."""

from __future__ import annotations

import pytest

from ledgerlink_core.testing.suites.attachments import AttachmentImportTests
from ledgerlink_core.testing.suites.capabilities import CapabilityTests
from ledgerlink_core.testing.suites.credentials import CredentialsTests
from ledgerlink_core.testing.suites.exporting import ExportTests
from ledgerlink_core.testing.suites.importing import ImportBookkeepingTests, SubledgerTests
from ledgerlink_core.testing.suites.metadata import MetadataTests
from ledgerlink_core.testing.suites.registration import RegistrationTests

__all__ = [
    "GROUPS",
    "BackendConformance",
    "LiveBackendConformance",
]

#: The groups, in the order they run. Each is usable on its own as well.
GROUPS: tuple[type, ...] = (
    RegistrationTests,
    MetadataTests,
    CapabilityTests,
    CredentialsTests,
    ImportBookkeepingTests,
    SubledgerTests,
    ExportTests,
    AttachmentImportTests,
)


# pytest collects base classes' tests last-base-first: reversed, registration runs first.
class BackendConformance(*reversed(GROUPS)):  # type: ignore[misc]
    """Every conformance test for one backend. Subclass it in a ``test_*.py`` file::

        class TestMyBackend(BackendConformance):
            @pytest.fixture
            def backend_name(self) -> str:
                return "mybackend"

            @pytest.fixture
            def settings(self, sample_dir: Path) -> dict[str, str]:
                return {"path": str(copy_sample(sample_dir))}

    Tests of capabilities the backend does not declare are skipped with a reason, and
    ``test_undeclared_capabilities_raise_not_supported`` checks they are refused before I/O.
    Overriding or skipping a standard test needs a stated reason (``xfail(reason=...)``,
    ``skip(reason=...)`` or :func:`ledgerlink_core.testing.override`), or the run fails.
    """


class LiveBackendConformance(BackendConformance):
    """The same tests against a real service: collected always, run only with
    ``pytest --ledgerlink-live`` (credentials come from your fixtures, e.g. env vars)."""

    pytestmark = [pytest.mark.ledgerlink_live]
