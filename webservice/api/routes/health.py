"""``/healthz`` (the process answers) and ``/readyz`` (database reachable, vocabulary loaded).

``./scripts/run`` waits for ``/readyz`` before telling the user the web service is up; a load
balancer should route to an instance only while ``/readyz`` answers 200.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import JSONResponse

from webservice.api.deps import api_state

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    state = api_state(request)
    checks: dict[str, str] = {}
    try:
        await asyncio.to_thread(_check_database, state)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        checks["database"] = f"unreachable ({type(exc).__name__})"
    try:
        await asyncio.to_thread(state.vocabulary.get)
        checks["vocabulary"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["vocabulary"] = f"not loaded ({type(exc).__name__})"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
    )


def _check_database(state) -> None:  # noqa: ANN001 - ApiState
    with state.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
