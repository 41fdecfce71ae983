"""ledgerlink core: the canonical model, the backend contract, hooks, export sinks, SIE codec
and the diff of two SIE files.

This module is the API that plugins may rely on: every name in ``__all__``, and nothing else
(``docs/api.md`` says what each is for and what may change). Import from here::

    from ledgerlink_core import AccountingBackend, BackendSettings, Capability, hookimpl

Two subpackages are public as well: ``ledgerlink_core.jobs`` (the use cases, for applications
embedding ledgerlink) and ``ledgerlink_core.testing`` (the conformance kit, for plugin tests).
Every other module is an implementation detail that may change without notice.

Names load on first use, so importing this package costs next to nothing (``ledgerlink
--help`` and a pytest run that merely has the kit installed import it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledgerlink_core.backend import (
        AccountingBackend,
        BackendContext,
        BackendSettings,
        BookkeepingRequest,
        ConnectionInfo,
        ExportConstraints,
        SubledgerRequest,
        TextRules,
    )
    from ledgerlink_core.capabilities import Capabilities, Capability
    from ledgerlink_core.config import parse_assignments
    from ledgerlink_core.connections import (
        Connection,
        Connections,
        LoginStatus,
        login_status,
        org_key,
    )
    from ledgerlink_core.diff import DiffReport, diff_sie
    from ledgerlink_core.errors import (
        AuthenticationError,
        BackendError,
        BackendLoadError,
        BackendNotFound,
        BackendUnavailable,
        BatchIncomplete,
        ConfigError,
        ExportAmbiguous,
        ExportBusy,
        ExportError,
        ExportRefused,
        InputError,
        JournalError,
        LedgerlinkError,
        NotSupported,
        PermissionDenied,
        ProblemsFound,
        ValidationFailed,
        WrongCompany,
    )
    from ledgerlink_core.examples import example_company_path
    from ledgerlink_core.export.inputs import export_items
    from ledgerlink_core.export.refs import find_marker, marker
    from ledgerlink_core.hookspecs import hookimpl
    from ledgerlink_core.model import (
        Account,
        AccountingMethod,
        AccountingYear,
        AccountType,
        Address,
        Amount,
        AttachmentRef,
        Balance,
        Bookkeeping,
        CompanyInfo,
        ControlAccounts,
        Counterparty,
        CustomerInvoice,
        Dimension,
        DimensionObject,
        ExportReport,
        ExportStatus,
        FiscalYear,
        ObjectBalance,
        ObjectRef,
        ObjectRule,
        PeriodBalance,
        RowChange,
        Seconds,
        SourceInfo,
        SubledgerDocument,
        SubledgerHistory,
        SubledgerItem,
        SubledgerPayment,
        SupplierInvoice,
        TextChange,
        Voucher,
        VoucherAttachment,
        VoucherExport,
        VoucherOutcome,
        VoucherRef,
        VoucherRow,
        WriteOff,
    )
    from ledgerlink_core.progress import NullProgress, Progress, ProgressTask
    from ledgerlink_core.runtime import Runtime
    from ledgerlink_core.sie import (
        SieError,
        SieKind,
        SieRecord,
        check_sie,
        dumps_sie,
        iter_sie,
        load_checked,
        read_sie,
        write_sie,
    )
    from ledgerlink_core.sinks import BatchSink, ExportSink, HeldVoucher, VoucherSink
    from ledgerlink_core.tokens import FileTokenStore, MemoryTokenStore, TokenStore

#: Where each public name lives: name -> module under ``ledgerlink_core`` (the names above are
#: the same, for type checkers; a meta-test keeps the three lists equal).
_HOMES: dict[str, str] = {
    # the backend contract
    "AccountingBackend": "backend",
    "BackendContext": "backend",
    "BackendSettings": "backend",
    "BookkeepingRequest": "backend",
    "ConnectionInfo": "backend",
    "ExportConstraints": "backend",
    "SubledgerRequest": "backend",
    "TextRules": "backend",
    "Capabilities": "capabilities",
    "Capability": "capabilities",
    # export: what a backend supplies
    "BatchSink": "sinks",
    "ExportSink": "sinks",
    "HeldVoucher": "sinks",
    "VoucherSink": "sinks",
    "export_items": "export.inputs",
    "find_marker": "export.refs",
    "marker": "export.refs",
    # hooks, runtime, configuration, state
    "hookimpl": "hookspecs",
    "Runtime": "runtime",
    "parse_assignments": "config",
    "FileTokenStore": "tokens",
    "MemoryTokenStore": "tokens",
    "TokenStore": "tokens",
    "Connection": "connections",
    "Connections": "connections",
    "LoginStatus": "connections",
    "login_status": "connections",
    "org_key": "connections",
    "NullProgress": "progress",
    "Progress": "progress",
    "ProgressTask": "progress",
    "example_company_path": "examples",
    # the canonical model
    "Account": "model",
    "AccountType": "model",
    "Address": "model",
    "Amount": "model",
    "AttachmentRef": "model",
    "Balance": "model",
    "Bookkeeping": "model",
    "CompanyInfo": "model",
    "Counterparty": "model",
    "CustomerInvoice": "model",
    "Dimension": "model",
    "DimensionObject": "model",
    "ExportReport": "model",
    "ExportStatus": "model",
    "FiscalYear": "model",
    "ObjectBalance": "model",
    "ObjectRef": "model",
    "ObjectRule": "model",
    "PeriodBalance": "model",
    "RowChange": "model",
    "Seconds": "model",
    "SourceInfo": "model",
    "SubledgerItem": "model",
    "SupplierInvoice": "model",
    "TextChange": "model",
    "Voucher": "model",
    "VoucherAttachment": "model",
    "VoucherExport": "model",
    "VoucherOutcome": "model",
    "VoucherRef": "model",
    "VoucherRow": "model",
    "AccountingMethod": "model",
    "AccountingYear": "model",
    "ControlAccounts": "model",
    "SubledgerDocument": "model",
    "SubledgerHistory": "model",
    "SubledgerPayment": "model",
    "WriteOff": "model",
    # errors (the tree is drawn in ledgerlink_core/errors.py)
    "AuthenticationError": "errors",
    "BackendError": "errors",
    "BackendLoadError": "errors",
    "BackendNotFound": "errors",
    "BackendUnavailable": "errors",
    "ConfigError": "errors",
    "ExportAmbiguous": "errors",
    "ExportBusy": "errors",
    "ExportError": "errors",
    "ExportRefused": "errors",
    "InputError": "errors",
    "JournalError": "errors",
    "LedgerlinkError": "errors",
    "NotSupported": "errors",
    "PermissionDenied": "errors",
    "ProblemsFound": "errors",
    "ValidationFailed": "errors",
    "WrongCompany": "errors",
    "BatchIncomplete": "errors",
    # the SIE codec
    "SieError": "sie",
    "SieKind": "sie",
    "SieRecord": "sie",
    "check_sie": "sie",
    "dumps_sie": "sie",
    "iter_sie": "sie",
    "load_checked": "sie",
    "read_sie": "sie",
    "write_sie": "sie",
    # two SIE files compared
    "DiffReport": "diff",
    "diff_sie": "diff",
}

__all__ = [
    "Account",
    "AccountType",
    "AccountingBackend",
    "AccountingMethod",
    "AccountingYear",
    "Address",
    "Amount",
    "AttachmentRef",
    "AuthenticationError",
    "BackendContext",
    "BackendError",
    "BackendLoadError",
    "BackendNotFound",
    "BackendSettings",
    "BackendUnavailable",
    "Balance",
    "BatchIncomplete",
    "BatchSink",
    "Bookkeeping",
    "BookkeepingRequest",
    "Capabilities",
    "Capability",
    "CompanyInfo",
    "ConfigError",
    "Connection",
    "ConnectionInfo",
    "Connections",
    "ControlAccounts",
    "Counterparty",
    "CustomerInvoice",
    "DiffReport",
    "Dimension",
    "DimensionObject",
    "ExportAmbiguous",
    "ExportBusy",
    "ExportConstraints",
    "ExportError",
    "ExportRefused",
    "ExportReport",
    "ExportSink",
    "ExportStatus",
    "FileTokenStore",
    "FiscalYear",
    "HeldVoucher",
    "InputError",
    "JournalError",
    "LedgerlinkError",
    "LoginStatus",
    "MemoryTokenStore",
    "NotSupported",
    "NullProgress",
    "ObjectBalance",
    "ObjectRef",
    "ObjectRule",
    "PeriodBalance",
    "PermissionDenied",
    "ProblemsFound",
    "Progress",
    "ProgressTask",
    "RowChange",
    "Runtime",
    "Seconds",
    "SieError",
    "SieKind",
    "SieRecord",
    "SourceInfo",
    "SubledgerDocument",
    "SubledgerHistory",
    "SubledgerItem",
    "SubledgerPayment",
    "SubledgerRequest",
    "SupplierInvoice",
    "TextChange",
    "TextRules",
    "TokenStore",
    "ValidationFailed",
    "Voucher",
    "VoucherAttachment",
    "VoucherExport",
    "VoucherOutcome",
    "VoucherRef",
    "VoucherRow",
    "VoucherSink",
    "WriteOff",
    "WrongCompany",
    "check_sie",
    "diff_sie",
    "dumps_sie",
    "example_company_path",
    "export_items",
    "find_marker",
    "hookimpl",
    "iter_sie",
    "load_checked",
    "login_status",
    "marker",
    "org_key",
    "parse_assignments",
    "read_sie",
    "write_sie",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"ledgerlink_core.{home}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
