"""The root suite's conftest: it puts ``tests/`` on ``sys.path`` (pytest's prepend import mode),
so its modules share ``testpaths`` and friends. The fixtures every suite uses live in the
repository's ``conftest.py``."""

from __future__ import annotations

from testpaths import CORPUS, REPO, THIRDPARTY

__all__ = ["CORPUS", "REPO", "THIRDPARTY"]
