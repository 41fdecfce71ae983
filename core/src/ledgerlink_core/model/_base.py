"""Money, durations and the frozen base every canonical model derives from.

Part of :mod:`ledgerlink_core.model`, which re-exports every public name."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, Inexact, InvalidOperation, localcontext
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

__all__ = ["Amount", "Frozen", "Seconds", "exact_sum"]

#: A money amount or a quantity: exact decimal, serialised as a string in JSON.
Amount = Annotated[Decimal, PlainSerializer(lambda d: str(d), return_type=str, when_used="json")]


_EXACT = Context(prec=1000, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Inexact])


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """The sum of ``values``, exactly: in a local context of 1000 digits, never rounded to the
    default 28 (``10**28 + 0.01 - 10**28`` is ``0.01``, not 0). Raises ``ValueError`` for a
    sum that would need more digits than that."""
    with localcontext(_EXACT):
        try:
            return sum(values, Decimal(0))
        except Inexact:
            raise ValueError("amounts too wide to be summed exactly (over 1000 digits)") from None


#: A duration or a clock reading, in seconds. A float, because it is never money: money is
#: :data:`Amount`, and every other float in ledgerlink is one of these.
Seconds = float


class Frozen(BaseModel):
    """Base of every canonical model: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")
