"""The customer's vehicle in the conversation: chassis numbers, the online lookup, and the
vehicle remembered with the customer for next time.

Plain async helpers over the ``catalog`` domain (no Rasa types): the form and the search action
call them. Nothing here may cost the customer a reply: a lookup that fails keeps the offline
decode, and a vehicle that cannot be saved is logged and forgotten.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from actions.runtime import CatalogUnavailable, get_runtime, in_session
from catalog.chassis_lookup import ChassisLookupError
from catalog.leads import LeadError, last_vehicle, save_customer_vehicle
from catalog.vehicle_ids import VehicleId
from catalog.vocabulary import Vocabulary
from shopkernel.masking import mask_phone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownVehicle:
    """A vehicle as the conversation holds it (slot values) and as it is offered back."""

    make: str | None = None
    model: str | None = None
    year: int | None = None
    vin: str | None = None
    frame_number: str | None = None

    @classmethod
    def from_slot(cls, value: Any) -> KnownVehicle | None:
        """The ``vehicle_offer`` slot's dict back as a vehicle (None for anything else)."""
        if not isinstance(value, dict):
            return None
        fields = {k: value.get(k) for k in cls.__dataclass_fields__}
        year = fields.get("year")
        fields["year"] = int(year) if isinstance(year, (int, str)) and str(year).isdigit() else None
        vehicle = cls(**fields)
        return vehicle if vehicle.make or vehicle.model else None

    def as_slot(self) -> dict[str, Any]:
        return asdict(self)

    def label(self, vocab: Vocabulary | None = None, language: str = "en") -> str:
        """``Toyota Land Cruiser 2015`` (Arabic names in an Arabic conversation when known)."""
        return vehicle_label(self.make, self.model, self.year, vocab, language)


def vehicle_label(
    make: str | None,
    model: str | None,
    year: int | str | None,
    vocab: Vocabulary | None = None,
    language: str = "en",
) -> str:
    """The vehicle as the customer should read it; empty when nothing is known."""
    if language == "ar" and vocab is not None:
        model = (vocab.arabic_name("model", make, model) if make and model else None) or model
        make = (vocab.arabic_name("make", make) if make else None) or make
    return " ".join(str(v) for v in (make, model, year) if v)


async def enrich(vid: VehicleId) -> VehicleId:
    """``vid`` with model/year/engine from the online lookup when it is configured and answers."""
    if vid.kind != "vin" or not vid.valid:
        return vid
    try:
        return await get_runtime().chassis_lookup.aenrich(vid)
    except ChassisLookupError as exc:  # the client already logs and trips its breaker
        log.info("chassis lookup unavailable, offline decode kept: %s", type(exc).__name__)
        return vid


async def remember_vehicle(sender_id: str, vehicle: KnownVehicle, decoded: dict | None = None) -> None:
    """Save the vehicle with the customer (same VIN / same car = one row, updated)."""
    if not (vehicle.make or vehicle.model or vehicle.vin or vehicle.frame_number):
        return
    try:
        await in_session(
            lambda session: save_customer_vehicle(
                session,
                sender_id,
                make=vehicle.make,
                model=vehicle.model,
                year=vehicle.year,
                vin=vehicle.vin,
                frame_number=vehicle.frame_number,
                decoded=decoded,
            )
        )
    except (CatalogUnavailable, LeadError) as exc:
        log.warning("vehicle of %s not remembered: %s", mask_phone(sender_id), exc)


async def previous_vehicle(sender_id: str) -> KnownVehicle | None:
    """The customer's most recent vehicle with at least make and model, or None."""

    def load(session) -> KnownVehicle | None:  # noqa: ANN001 - SQLAlchemy session
        row = last_vehicle(session, sender_id)
        if row is None or not (row.make and row.model):
            return None
        return KnownVehicle(row.make, row.model, row.year, row.vin, row.frame_number)

    try:
        return await in_session(load)
    except CatalogUnavailable:
        return None


def vehicle_from_id(vid: VehicleId) -> KnownVehicle:
    return KnownVehicle(
        make=vid.make,
        model=vid.model,
        year=vid.year,
        vin=vid.normalized if vid.kind == "vin" else None,
        frame_number=vid.normalized if vid.kind == "frame" else None,
    )
