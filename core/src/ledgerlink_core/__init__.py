"""ledgerlink core: canonical model, backend contract, hooks, SIE codec.

Plugins import what they need from the submodules (``ledgerlink_core.model``,
``ledgerlink_core.backend``, ...); ``hookimpl`` is here for convenience.
"""

from ledgerlink_core.hookspecs import hookimpl

__all__ = ["hookimpl"]
