"""An item shown to the customer, as the conversation remembers it (``search_results`` slot)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ShownItem:
    """One search hit as remembered in the ``search_results`` slot (JSON-safe)."""

    sku: str
    part_id: int | None
    name: str
    brand: str
    part_number: str
    price_aed: str  # Decimal as text: slots must be JSON
    stock: int
    condition: str
    fits: str = ""  # the fitment that matched the customer's car: "Chevrolet Tahoe 2015-2020"
    short_name: str = ""  # the name without another vehicle in it: "Front Brake Pads"

    @classmethod
    def from_hit(cls, hit: Any) -> ShownItem:
        return cls(
            sku=str(hit.sku),
            part_id=getattr(hit, "part_id", None),
            name=str(hit.name),
            brand=str(hit.brand),
            part_number=str(hit.part_number),
            price_aed=f"{Decimal(str(hit.price_aed)):.2f}",
            stock=int(hit.stock or 0),
            condition=str(getattr(hit, "condition", "") or ""),
            fits=str(getattr(hit, "fits", "") or ""),
            short_name=str(getattr(hit, "short_name", "") or ""),
        )

    @classmethod
    def from_dict(cls, data: dict) -> ShownItem:
        values = {k: data.get(k) for k in cls.__dataclass_fields__ if k in data}
        return cls(**values)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def price_label(self) -> str:
        price = Decimal(self.price_aed)
        return f"{price:.0f}" if price == price.to_integral_value() else f"{price:.2f}"

    @property
    def label(self) -> str:
        """The name the customer reads: no other vehicle in it when ``fits`` names theirs."""
        return self.short_name if self.fits and self.short_name else self.name

    @property
    def stock_mark(self) -> str:
        return f"✅ {self.stock}" if self.stock > 0 else "⏳"


def choose_payload(sku: str) -> str:
    """What a tap on an item sends back: ``/choose_part{"sku": …}``, understood without NLU."""
    return "/choose_part" + json.dumps({"sku": sku}, ensure_ascii=False, separators=(",", ":"))
