"""``/api/v1/parts``: search (vehicle, part words, free text, numbers) and one part by sku."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from catalog.links import part_url
from catalog.search import MAX_LIMIT, PartDetail, PartHit, SearchError, part_detail, search_page
from webservice.api.deps import api_state, read_limit
from webservice.api.errors import ApiProblem
from webservice.api.pagination import decode_cursor, encode_cursor, next_link, query_hash
from webservice.api.queries import Filters, to_part_query
from webservice.api.responses import iso_utc, json_response
from webservice.api.schemas import Condition, PartDetailOut, PartPage, Problem


def _example(value: object) -> dict:
    """One example for the docs' "Try it out" and the property test's explicit phase."""
    return {"example": {"value": value}}


router = APIRouter(prefix="/parts", tags=["parts"], dependencies=[Depends(read_limit)])


@router.get(
    "",
    response_model=PartPage,
    summary="Search parts",
    responses={422: {"model": Problem}, 429: {"model": Problem}},
)
async def search(
    request: Request,
    q: str | None = Query(
        None,
        max_length=200,
        description="What a customer would type: "
        "`فحمات لاندكروزر 2015`, `brake pads land cruiser 2015`, `abi fa7mat patrol 2018`, "
        "`04465 60320`. Explicit parameters below win over what `q` says.",
        openapi_examples=_example("فحمات لاندكروزر 2015"),
    ),
    make: str | None = Query(
        None,
        max_length=64,
        description="Make in any spelling: `Toyota`, `toyta`, `تويوتا`.",
        openapi_examples=_example("Toyota"),
    ),
    model: str | None = Query(
        None,
        max_length=64,
        description="Model: `Land Cruiser`, `landcruiser`, `لاندكروزر`.",
        openapi_examples=_example("Land Cruiser"),
    ),
    year: int | None = Query(
        None, ge=1950, le=2100, description="Model year the part must fit.", openapi_examples=_example(2015)
    ),
    part: str | None = Query(
        None,
        max_length=100,
        description="Category or part words in English, Arabic or "
        "Arabizi, typos welcome: `brake pads`, `فحمات`, `fa7mat`, `front shock`.",
        openapi_examples=_example("brake pads"),
    ),
    number: str | None = Query(
        None,
        max_length=64,
        description="Part, OEM or interchange number in any format: "
        "`04465-60320`, `0446560320`, `04465 60320`.",
        openapi_examples=_example("04465-60320"),
    ),
    in_stock: bool = Query(False, description="Only parts in stock.", openapi_examples=_example(True)),
    condition: Condition | None = Query(
        None, description="Only this condition.", openapi_examples=_example("genuine")
    ),
    brand: str | None = Query(
        None,
        max_length=64,
        description="Only this brand (case-insensitive): `Denso`.",
        openapi_examples=_example("Toyota Genuine"),
    ),
    limit: int = Query(20, ge=1, le=MAX_LIMIT, description=f"Parts per page (1-{MAX_LIMIT})."),
    cursor: str | None = Query(None, max_length=200, description="`next_cursor` of the previous page."),
) -> Response:
    """Parts for a vehicle and/or a part, best first (in stock, exact category, condition, price).

    Give at least one of `q`, `make`, `model`, `part` or `number`. The next page is in the
    `Link: <...>; rel="next"` header and in `next_cursor`.
    """
    filters = Filters(
        q=q,
        make=make,
        model=model,
        year=year,
        part=part,
        number=number,
        condition=condition.value if condition else None,
        in_stock=in_stock,
        brand=brand,
    )
    if not filters.any_subject():
        raise ApiProblem(
            422,
            "give at least one of q, make, model, part or number",
            errors=[{"field": "q", "in": "query", "message": "nothing to search for"}],
        )
    state = api_state(request)
    params_hash = query_hash(filters.as_params())
    offset = decode_cursor(cursor, params_hash)
    template = state.settings.part_url_template

    def compute() -> dict:
        vocab = state.vocabulary.get()
        try:
            query = to_part_query(filters, vocab, state.frame_codes.get(), limit, offset)
            page = state.read(lambda session: search_page(session, query, vocab))
        except SearchError as exc:
            raise ApiProblem(422, str(exc)) from exc
        return {
            "items": [_summary(hit, template) for hit in page.hits],
            "next_cursor": encode_cursor(offset + limit, params_hash) if page.has_more else None,
            "query": {
                "make": query.make,
                "model": query.model,
                "year": query.year,
                "part": query.part,
                "part_number": query.part_number,
                "condition": query.condition,
            },
        }

    body = await state.search_pages.page(f"{params_hash}:{limit}:{offset}", compute)
    next_cursor = body["next_cursor"]
    headers = {"Link": next_link(request.url, next_cursor)} if next_cursor else None
    return json_response(request, body, headers=headers)


@router.get(
    "/{sku}",
    response_model=PartDetailOut,
    summary="One part with all fitments",
    responses={
        304: {"description": "Not modified (If-None-Match)"},
        404: {"model": Problem},
        429: {"model": Problem},
    },
)
def get_part(
    request: Request,
    sku: str = Path(
        ...,
        max_length=64,
        description="The shop's sku, e.g. `BP-100001` (case-insensitive).",
        openapi_examples=_example("BP-100001"),
    ),
) -> Response:
    """The part with every vehicle it fits, its OEM/interchange numbers, price and stock.

    Send the `ETag` back as `If-None-Match` to get `304 Not Modified` while nothing changed.
    """
    state = api_state(request)
    detail = state.read(lambda session: part_detail(session, sku))
    if detail is None:
        raise ApiProblem(404, f"no part with sku {sku!r}")
    return json_response(request, _detail(detail, state.settings.part_url_template))


def _summary(hit: PartHit, template: str | None) -> dict:
    out = {
        "sku": hit.sku,
        "name": hit.name,
        "category": hit.category,
        "brand": hit.brand,
        "part_number": hit.part_number,
        "oem_numbers": list(hit.oem_numbers),
        "price_aed": float(hit.price_aed),
        "stock": hit.stock,
        "in_stock": hit.stock > 0,
        "condition": hit.condition,
        "fits": hit.fitment,
    }
    url = part_url(template, hit.sku)
    if url:
        out["url"] = url
    return out


def _detail(part: PartDetail, template: str | None) -> dict:
    out = {
        "sku": part.sku,
        "name": part.name,
        "category": part.category,
        "category_ar": part.category_ar,
        "brand": part.brand,
        "part_number": part.part_number,
        "numbers": [{"number": n.number, "kind": n.kind} for n in part.numbers],
        "price_aed": float(part.price_aed),
        "stock": part.stock,
        "in_stock": part.stock > 0,
        "condition": part.condition,
        "fitments": [
            {
                "make": f.make,
                "model": f.model,
                "year_from": f.year_from,
                "year_to": f.year_to,
                "engine": f.engine,
            }
            for f in part.fitments
        ],
        "updated_at": iso_utc(part.updated_at),
    }
    url = part_url(template, part.sku)
    if url:
        out["url"] = url
    return out
