"""``/api/v1/vehicles/decode``: a VIN or a Japanese frame number, decoded as the chat does."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from catalog.vehicle_ids import VehicleId, decode
from catalog.vehicle_messages import friendly_problem
from webservice.api.deps import api_state, read_limit
from webservice.api.errors import ApiProblem
from webservice.api.responses import json_response
from webservice.api.schemas import Problem, VehicleDecode

router = APIRouter(prefix="/vehicles", tags=["vehicles"], dependencies=[Depends(read_limit)])


@router.get(
    "/decode",
    response_model=VehicleDecode,
    summary="Decode a VIN or frame number",
    responses={422: {"model": Problem}, 429: {"model": Problem}},
)
async def decode_vehicle(
    request: Request,
    vin: str = Query(
        ...,
        min_length=1,
        max_length=40,
        description="A 17-character VIN "
        "(`JTMHV05J604123456`) or a frame number (`GRJ200-1234567`), spaces and dashes allowed.",
        openapi_examples={"frame": {"value": "GRJ200-1234567"}, "vin": {"value": "1HGCM82633A004352"}},
    ),
    lang: str = Query("en", regex="^(en|ar)$", description="Language of `message` (en | ar)."),
) -> Response:
    """Make, model, year (when the number says it for sure) and what is wrong with a mistyped number.

    With `CHASSIS_LOOKUP_URL` set, a valid VIN is also looked up online (cached, with a short
    timeout); `online_lookup` says whether that added anything.
    """
    if not vin.strip():
        raise ApiProblem(
            422,
            "vin: give a VIN or a frame number",
            errors=[{"field": "vin", "in": "query", "message": "empty"}],
        )
    state = api_state(request)
    table = await asyncio.to_thread(state.frame_codes.get)
    offline = decode(vin, frame_codes=table)
    vid = await state.chassis_lookup.aenrich(offline) if offline.valid and offline.kind == "vin" else offline
    return json_response(
        request, _decoded(vin, vid, vid != offline, lang), cache_control="public, max-age=3600"
    )


def _decoded(raw: str, vid: VehicleId, looked_up: bool, lang: str) -> dict:
    return {
        "kind": vid.kind,
        "input": raw,
        "normalized": vid.normalized,
        "valid": vid.valid,
        "problem": vid.problem,
        "message": friendly_problem(vid, lang) or None,
        "make": vid.make,
        "model": vid.model,
        "year": vid.year,
        "year_candidates": list(vid.year_candidates),
        "engine": vid.engine,
        "country": vid.country,
        "chassis_code": vid.chassis_code,
        "warnings": list(vid.warnings),
        "suggestions": list(vid.suggestions),
        "online_lookup": looked_up,
    }
