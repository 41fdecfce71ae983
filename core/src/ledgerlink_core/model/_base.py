"""Money, durations and the frozen base every canonical model derives from.

Part of :mod:`ledgerlink_core.model`, which re-exports every public name."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

__all__ = ["Amount", "Frozen", "Seconds"]

#: A money amount or a quantity: exact decimal, serialised as a string in JSON.
Amount = Annotated[Decimal, PlainSerializer(lambda d: str(d), return_type=str, when_used="json")]

#: A duration or a clock reading, in seconds. A float, because it is never money: money is
#: :data:`Amount`, and every other float in ledgerlink is one of these.
Seconds = float


class Frozen(BaseModel):
    """Base of every canonical model: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")
