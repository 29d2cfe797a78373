"""``/api/v1/makes``, ``/api/v1/makes/{make}/models``, ``/api/v1/categories`` (English + Arabic)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from webservice.api.deps import api_state, read_limit
from webservice.api.errors import ApiProblem
from webservice.api.responses import json_response
from webservice.api.schemas import CategoryList, MakeList, ModelList, Problem

router = APIRouter(tags=["catalog"], dependencies=[Depends(read_limit)])
CACHE = "public, max-age=300"


@router.get(
    "/makes", response_model=MakeList, summary="Makes the shop carries", responses={429: {"model": Problem}}
)
def makes(request: Request) -> Response:
    """Every make with parts in the catalog, with its Arabic name."""
    vocab = api_state(request).vocabulary.get()
    items = [{"name": m, "name_ar": vocab.arabic_name("make", m)} for m in vocab.makes()]
    return json_response(request, {"items": items}, cache_control=CACHE)


@router.get(
    "/makes/{make}/models",
    response_model=ModelList,
    summary="Models of one make",
    responses={404: {"model": Problem}, 429: {"model": Problem}},
)
def models(
    request: Request,
    make: str = Path(
        ...,
        max_length=64,
        description="The make in any spelling: `Toyota`, `toyta`, `تويوتا`.",
        openapi_examples={"make": {"value": "Toyota"}, "arabic": {"value": "تويوتا"}},
    ),
) -> Response:
    """The make's models in the catalog, with Arabic names."""
    vocab = api_state(request).vocabulary.get()
    name = make if make in vocab.makes() else vocab.match_make(make).value
    if not name:
        raise ApiProblem(404, f"no make {make!r} in the catalog; GET /api/v1/makes lists them")
    items = [{"name": m, "name_ar": vocab.arabic_name("model", name, m)} for m in vocab.models_for(name)]
    body = {"make": {"name": name, "name_ar": vocab.arabic_name("make", name)}, "items": items}
    return json_response(request, body, cache_control=CACHE)


@router.get(
    "/categories", response_model=CategoryList, summary="Part categories", responses={429: {"model": Problem}}
)
def categories(request: Request) -> Response:
    """Every part category, with its Arabic name (`Brake Pads` / `فحمات فرامل`)."""
    vocab = api_state(request).vocabulary.get()
    items = [{"name": c, "name_ar": vocab.arabic_name("part", c)} for c in vocab.categories()]
    return json_response(request, {"items": items}, cache_control=CACHE)
