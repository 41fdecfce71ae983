"""The generated customer and supplier invoices of an emulated tenant, derived from its ledger.

Part of the seed (:mod:`ledgerlink_fortnox_emulator.seed`): every voucher that debits a
customer control account is an invoice, every credit a payment applied oldest invoice first,
an opening balance becomes invoices from the year before (mirrored for suppliers); padding
invoices come with their own vouchers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from decimal import ROUND_HALF_UP, Decimal

from ledgerlink_fortnox_emulator.config import EmulatorConfig
from ledgerlink_fortnox_emulator.state import (
    AccountRec,
    EmulatorState,
    InvoiceRec,
    Kind,
    PaymentRec,
    RowRec,
    VoucherRec,
    WriteOffRec,
)

CENT = Decimal("0.01")
ZERO = Decimal(0)

REFERENCE_TYPES = {
    "B": "INVOICE",
    "C": "INVOICEPAYMENT",
    "D": "SUPPLIERINVOICE",
    "E": "SUPPLIERPAYMENT",
}


def pick(state: EmulatorState, wanted: tuple[int, ...], kind: str | None) -> int:
    """The first of ``wanted`` in the chart, else any account of SIE type ``kind``."""
    for number in wanted:
        if number in state.accounts:
            return number
    for number, account in sorted(state.accounts.items()):
        if kind is not None and account.type == kind:
            return number
    state.add_account(AccountRec(wanted[0], f"Konto {wanted[0]}"))
    return wanted[0]


_CONTROL = {"customer": range(1510, 1520), "supplier": range(2440, 2450)}
_NAMES = (
    "Andersson",
    "Berg",
    "Carlsson",
    "Dahl",
    "Ek",
    "Forsberg",
    "Gustafsson",
    "Holm",
    "Isaksson",
    "Johansson",
    "Karlsson",
    "Lind",
    "Månsson",
    "Nilsson",
    "Olsson",
    "Persson",
)
_SUFFIX = ("AB", "Handelsbolag", "Bygg AB", "Konsult AB", "& Söner AB", "Trading AB")


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount in whole kronor between low and high, with öre."""
    return (Decimal(rng.randint(low * 100, high * 100)) * CENT).quantize(CENT)


def _luhn(digits: str) -> str:
    """``digits`` with a Luhn check digit appended (Swedish OCR)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


class SubledgerGenerator:
    """Derives invoices and payments from the ledger, then pads and perturbs them."""

    def __init__(self, state: EmulatorState, config: EmulatorConfig, rng: random.Random) -> None:
        self.state = state
        self.config = config
        self.rng = rng
        self.year = state.default_year()
        self.close = self.year.end
        self._next_invoice = {"customer": 1001, "supplier": 1}
        self._next_payment = {"customer": 1, "supplier": 1}
        self._fee: int | None = None
        self._parties: dict[Kind, list[tuple[str, str]]] = {"customer": [], "supplier": []}
        # Open invoices, oldest first, with their unpaid remainder, for FIFO payment.
        self._open: dict[Kind, deque[list[object]]] = {"customer": deque(), "supplier": deque()}

    # --- helpers --------------------------------------------------------------------------------

    def _party(self, kind: Kind) -> tuple[str, str]:
        parties = self._parties[kind]
        if len(parties) < 25 or self.rng.random() < 0.05:
            number = str((1 if kind == "customer" else 101) + len(parties))
            name = f"{self.rng.choice(_NAMES)} {self.rng.choice(_SUFFIX)}"
            parties.append((number, name))
            registry = self.state.customers if kind == "customer" else self.state.suppliers
            registry[number] = name
            return number, name
        return self.rng.choice(parties)

    def _new_invoice(
        self,
        kind: Kind,
        day: dt.date,
        total: Decimal,
        *,
        voucher: tuple[str, int, int] | None,
        currency: str = "SEK",
        rate: Decimal = Decimal(1),
        booked: bool = True,
    ) -> InvoiceRec:
        number = str(self._next_invoice[kind])
        self._next_invoice[kind] += 1
        party, name = self._party(kind)
        invoice = InvoiceRec(
            kind,
            number,
            party,
            name,
            day,
            day + dt.timedelta(days=30),
            total,
            currency=currency,
            currency_rate=rate,
            booked=booked,
            ocr=_luhn(number.rjust(6, "0")),
            supplier_invoice_number=(
                f"F{self.rng.randint(10000, 99999)}" if kind == "supplier" else ""
            ),
            voucher=voucher,
        )
        return self.state.add_invoice(invoice)

    def _pay(
        self,
        invoice: InvoiceRec,
        day: dt.date,
        amount: Decimal,
        voucher: tuple[str, int, int] | None,
        write_off: Decimal = ZERO,
    ) -> None:
        """Register a payment that settles ``amount``: ``write_off`` of it is written off."""
        kind = invoice.kind
        self.state.add_payment(
            PaymentRec(
                kind,
                self._next_payment[kind],
                invoice.number,
                day,
                amount - write_off,
                currency=invoice.currency,
                currency_rate=invoice.currency_rate,
                booked=voucher is not None,
                voucher=voucher,
                write_offs=([WriteOffRec(write_off, 6570, "Bankavgift")] if write_off else []),
            )
        )
        self._next_payment[kind] += 1

    def _write_off(self, amount: Decimal) -> Decimal:
        """A write-off for a payment settling ``amount``, or 0 (drawn at ``write_off_share``)."""
        if self.config.write_off_share <= 0 or amount < 100:
            return ZERO
        if self.rng.random() >= self.config.write_off_share:
            return ZERO
        return money(self.rng, 1, 50)

    def _fee_account(self) -> int:
        """Where write-offs are booked: bank fees (6570) when the chart has it."""
        if self._fee is None:
            self._fee = pick(self.state, (6570, 6560, 6990), "K")
        return self._fee

    def _cash(self) -> bool:
        return self.year.method == "CASH"

    def _control_sum(self, kind: Kind, voucher: VoucherRec) -> Decimal:
        """What the voucher adds to the subledger (debits to 151x, credits to 244x)."""
        accounts = _CONTROL[kind]
        net = sum((r.amount for r in voucher.rows if r.account in accounts), ZERO)
        return net if kind == "customer" else -net

    # --- the phases -----------------------------------------------------------------------------

    def run(self) -> None:
        kinds: tuple[Kind, ...] = ("customer", "supplier")
        for kind in kinds:
            self._derive(kind)
            self._pad(kind)
            self._skew(kind)
            self._late_credits(kind)
            self._late_payments(kind)
            self._after_close(kind)

    def _derive(self, kind: Kind) -> None:
        """Invoices and payments from the ledger's control-account movements."""
        # The closing year only: its opening balance stands for everything before it.
        first = self.year
        vouchers = self.state.vouchers(year=first.id, origin="seed")
        opening = sum(
            (
                amount
                for (year_id, account), amount in self.state.opening_balances.items()
                if year_id == first.id and account in _CONTROL[kind]
            ),
            ZERO,
        )
        if kind == "supplier":
            opening = -opening
        if opening > 0:
            # The opening balance: two or three invoices from the end of the year before.
            parts = min(3, max(1, int(opening // 1000)))
            share = (opening / parts).quantize(CENT, ROUND_HALF_UP)
            for i in range(parts):
                amount = share if i < parts - 1 else opening - share * (parts - 1)
                day = first.start - dt.timedelta(days=10 + 12 * (parts - 1 - i))
                invoice = self._new_invoice(kind, day, amount, voucher=None)
                self._open[kind].append([invoice, amount])
        for voucher in sorted(vouchers, key=lambda v: (v.date, v.series, v.number)):
            delta = self._control_sum(kind, voucher)
            ref = (voucher.series, voucher.number, voucher.year)
            if delta > 0:
                invoice = self._new_invoice(kind, voucher.date, delta, voucher=ref)
                self._open[kind].append([invoice, delta])
            elif delta < 0:
                self._apply_fifo(kind, voucher.date, -delta, ref)

    def _apply_fifo(
        self, kind: Kind, day: dt.date, amount: Decimal, ref: tuple[str, int, int]
    ) -> None:
        queue = self._open[kind]
        while amount > 0 and queue:
            entry = queue[0]
            invoice, remaining = entry[0], entry[1]
            assert isinstance(invoice, InvoiceRec) and isinstance(remaining, Decimal)
            part = min(amount, remaining)
            self._pay(invoice, day, part, ref)
            amount -= part
            if part == remaining:
                queue.popleft()
            else:
                entry[1] = remaining - part

    def _pad(self, kind: Kind) -> None:
        """Generated invoices, booked with their own vouchers, up to the configured count."""
        wanted = (
            self.config.customer_invoices if kind == "customer" else self.config.supplier_invoices
        )
        missing = (wanted or 0) - len(self.state.invoices[kind])
        if missing <= 0:
            return
        year = self.year
        if kind == "customer":
            control = pick(self.state, (1510,), None)
            other = pick(self.state, (3001, 3010, 3041), "I")
            bank = pick(self.state, (1930,), "T")
            inv_series, pay_series = "B", "C"
        else:
            control = pick(self.state, (2440,), None)
            other = pick(self.state, (4010, 5010, 6110), "K")
            bank = pick(self.state, (1930,), "T")
            inv_series, pay_series = "D", "E"
        days = (year.end - year.start).days
        dates = sorted(
            year.start + dt.timedelta(days=self.rng.randint(0, days)) for _ in range(missing)
        )
        for day in dates:
            foreign = self.rng.random() < self.config.foreign_currency_share
            currency, rate = (
                ("EUR", Decimal("11.") + Decimal(self.rng.randint(0, 99)) / 100)
                if foreign
                else ("SEK", Decimal(1))
            )
            total = money(self.rng, 200, 40000 if not foreign else 4000)
            sek = (total * rate).quantize(CENT, ROUND_HALF_UP)
            rows = (
                [RowRec(control, sek, ZERO), RowRec(other, ZERO, sek)]
                if kind == "customer"
                else [RowRec(other, sek, ZERO), RowRec(control, ZERO, sek)]
            )
            text = "Kundfaktura" if kind == "customer" else "Leverantörsfaktura"
            if self._cash():
                self._pad_cash(kind, day, total, currency, rate, sek, other, bank, pay_series)
                continue
            voucher = self.state.create_voucher(
                VoucherRec(
                    inv_series,
                    0,
                    year.id,
                    day,
                    f"{text} {self._next_invoice[kind]}",
                    rows,
                    reference_type=REFERENCE_TYPES[inv_series],
                    origin="synthetic",
                )
            )
            invoice = self._new_invoice(
                kind,
                day,
                total,
                voucher=(inv_series, voucher.number, year.id),
                currency=currency,
                rate=rate,
            )
            voucher.reference_number = invoice.number
            paid_on = day + dt.timedelta(days=self.rng.randint(5, 45))
            if paid_on <= year.end and self.rng.random() < 0.75:
                off = self._write_off(total) if currency == "SEK" else ZERO
                fee_account = self._fee_account()
                fee = (
                    RowRec(fee_account, off, ZERO)
                    if kind == "customer"
                    else RowRec(fee_account, ZERO, off)
                )
                pay_rows = (
                    [RowRec(bank, sek - off, ZERO), RowRec(control, ZERO, sek)]
                    if kind == "customer"
                    else [RowRec(control, sek, ZERO), RowRec(bank, ZERO, sek - off)]
                ) + ([fee] if off else [])
                pay_voucher = self.state.create_voucher(
                    VoucherRec(
                        pay_series,
                        0,
                        year.id,
                        paid_on,
                        f"Betalning {invoice.number}",
                        pay_rows,
                        reference_type=REFERENCE_TYPES[pay_series],
                        reference_number=invoice.number,
                        origin="synthetic",
                    )
                )
                self._pay(invoice, paid_on, total, (pay_series, pay_voucher.number, year.id), off)
            else:
                self._open[kind].append([invoice, total])

    def _pad_cash(
        self,
        kind: Kind,
        day: dt.date,
        total: Decimal,
        currency: str,
        rate: Decimal,
        sek: Decimal,
        other: int,
        bank: int,
        pay_series: str,
    ) -> None:
        """A cash-method invoice: unbooked until paid, then booked on the payment voucher
        (bank against revenue or cost), never on the control account."""
        year = self.year
        invoice = self._new_invoice(
            kind, day, total, voucher=None, currency=currency, rate=rate, booked=False
        )
        paid_on = day + dt.timedelta(days=self.rng.randint(5, 45))
        if paid_on > year.end or self.rng.random() >= 0.75:
            self._open[kind].append([invoice, total])
            return
        rows = (
            [RowRec(bank, sek, ZERO), RowRec(other, ZERO, sek)]
            if kind == "customer"
            else [RowRec(other, sek, ZERO), RowRec(bank, ZERO, sek)]
        )
        voucher = self.state.create_voucher(
            VoucherRec(
                pay_series,
                0,
                year.id,
                paid_on,
                f"Betalning {invoice.number}",
                rows,
                reference_type=REFERENCE_TYPES[pay_series],
                reference_number=invoice.number,
                origin="synthetic",
            )
        )
        invoice.booked = True
        invoice.voucher = (pay_series, voucher.number, year.id)
        self._pay(invoice, paid_on, total, invoice.voucher)

    def _skew(self, kind: Kind) -> None:
        """An invoice the ledger does not know about: a known subledger difference."""
        skew = self.config.subledger_skew.get(kind)
        if not skew:
            return
        day = self.close - dt.timedelta(days=3)
        invoice = self._new_invoice(kind, day, skew, voucher=None)
        invoice.credit = skew < 0
        if skew > 0:
            self._open[kind].append([invoice, skew])

    def _late_credits(self, kind: Kind) -> None:
        """Credit notes after the closing date for invoices open and unpaid at it."""
        queue = self._open[kind]
        for _ in range(self.config.credits_after_close):
            target = next(
                (
                    entry
                    for entry in queue
                    if isinstance(entry[0], InvoiceRec)
                    and entry[1] == entry[0].total
                    and entry[0].currency == "SEK"
                    and not self.state.payments_of(kind, entry[0].number)
                ),
                None,
            )
            if target is None:
                return
            queue.remove(target)
            original = target[0]
            assert isinstance(original, InvoiceRec)
            day = self.close + dt.timedelta(days=self.rng.randint(3, 30))
            note = self._new_invoice(kind, day, -original.total, voucher=None)
            note.credit = True
            note.credit_reference = original.number
            note.counterparty, note.counterparty_name = (
                original.counterparty,
                original.counterparty_name,
            )
            self.state.add_invoice(note)  # re-index as a credit of the original
            # Settled as Fortnox users must: a payment on each document, on the credit's date.
            first = self._next_payment[kind]
            self.state.offset(original, note, day, original.total, first)
            self._next_payment[kind] = first + 2

    def _late_payments(self, kind: Kind) -> None:
        """Payments dated after the closing date against invoices open at it."""
        count = self.config.payments_after_close
        open_items = [
            (inv, rem)
            for inv, rem in self._open[kind]
            if isinstance(inv, InvoiceRec)
            and isinstance(rem, Decimal)
            and rem > 0
            and inv.invoice_date <= self.close
        ]
        if count <= 0 or not open_items:
            return
        assigned: dict[int, int] = {}
        for i in range(count):
            assigned[i % len(open_items)] = assigned.get(i % len(open_items), 0) + 1
        for index, parts in assigned.items():
            invoice, remaining = open_items[index]
            to_pay = remaining if index % 2 == 0 else (remaining * Decimal("0.6")).quantize(CENT)
            parts = max(1, min(parts, int(to_pay / CENT)))
            share = (to_pay / parts).quantize(CENT, ROUND_HALF_UP)
            days = sorted(self.rng.randint(1, 75) for _ in range(parts))
            for p, offset in enumerate(days):
                amount = share if p < parts - 1 else to_pay - share * (parts - 1)
                if amount > 0:
                    off = self._write_off(amount) if invoice.currency == "SEK" else ZERO
                    day = self.close + dt.timedelta(days=offset)
                    self._pay(invoice, day, amount, None, off)
                    if self._cash():
                        invoice.booked = True  # booked when paid, after the closing date

    def _after_close(self, kind: Kind) -> None:
        """Invoices dated after the closing date: not part of the closed year's subledger."""
        for _ in range(self.config.invoices_after_close):
            day = self.close + dt.timedelta(days=self.rng.randint(2, 40))
            self._new_invoice(kind, day, money(self.rng, 300, 9000), voucher=None, booked=False)
