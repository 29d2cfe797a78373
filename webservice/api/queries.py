"""From the API's query parameters (and free text ``q``) to a catalog :class:`PartQuery`.

``q`` is read exactly as the assistant reads a customer's message — :meth:`Vocabulary.parse` for
make, model, year, part, part number and condition ("فحمات لاندكروزر 2015", "abi fa7mat patrol
2018", "04465 60320"), :func:`find_vehicle_ids` for a VIN or frame number in it — and the explicit
parameters win over what ``q`` says. No second search: the result goes to ``catalog.search``.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.frame_codes import FrameCodeTable
from catalog.search import PartQuery
from catalog.vehicle_ids import find_vehicle_ids
from catalog.vocabulary import Vocabulary


@dataclass(frozen=True)
class Filters:
    """The request's parameters as given (``None`` = not given)."""

    q: str | None = None
    make: str | None = None
    model: str | None = None
    year: int | None = None
    part: str | None = None
    number: str | None = None
    condition: str | None = None
    in_stock: bool = False
    brand: str | None = None

    def any_subject(self) -> bool:
        return any(_given(v) for v in (self.q, self.make, self.model, self.part, self.number))

    def as_params(self) -> dict[str, object]:
        return dict(self.__dict__)


def _given(value: str | None) -> bool:
    return bool(value and value.strip())


def to_part_query(
    filters: Filters, vocab: Vocabulary, frame_codes: FrameCodeTable | None, limit: int, offset: int
) -> PartQuery:
    """The catalog query: explicit parameters first, the gaps filled from ``q``."""
    make, model, year = filters.make, filters.model, filters.year
    part, number, condition = filters.part, filters.number, filters.condition
    if _given(filters.q):
        text = filters.q or ""
        vehicle = next(
            (v for v in find_vehicle_ids(text, frame_codes=frame_codes) if v.valid and v.make), None
        )
        if vehicle is not None:
            text = text.replace(vehicle.raw, " ")
            make, model = make or vehicle.make, model or (vehicle.model if not make else None)
            year = year or vehicle.year
        mention = vocab.parse(text)
        if not _given(make) and not _given(model):
            make, model = mention.make, mention.model
        elif (
            not _given(model)
            and mention.model
            and (mention.make or "") == (vocab.match_make(make or "").value or "")
        ):
            model = mention.model
        year = year or mention.year
        if not _given(part):
            part = mention.part if mention.part_matched else mention.part_text
        number = number or mention.part_number
        condition = condition or mention.condition
    return PartQuery(
        make=_clean(make),
        model=_clean(model),
        year=year,
        part=_clean(part),
        part_number=_clean(number),
        limit=limit,
        condition=condition,
        in_stock=filters.in_stock,
        brand=_clean(filters.brand),
        offset=offset,
    )


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) if _given(value) else None
