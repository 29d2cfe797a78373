"""``POST /api/v1/leads``: the website's "request this part" form becomes a lead for the sales team.

Needs an API key with ``leads:write`` (the website's server holds it), unless the shop sets
``API_LEADS_OPEN=true`` (then anonymous posts are allowed, limited by ``API_LEADS_RATE_LIMIT``
per address and by phone validation). ``Idempotency-Key`` is required: the same key with the same
body returns the same lead (``Idempotent-Replayed: true``), never a second one; the same key with
another body is refused (422).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Header, Request
from pydantic import root_validator, validator
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from starlette.responses import Response

from catalog.lead_requests import IdempotencyConflict, fingerprint, record_lead_once
from catalog.leads import LeadDraft, LeadError, get_or_create_customer
from catalog.phones import PhoneError, to_e164
from catalog.schema import Lead, Part
from webservice.api.deps import Client, api_state, lead_limit
from webservice.api.errors import ApiProblem
from webservice.api.responses import iso_utc, json_response
from webservice.api.schemas import LeadIn, LeadOut, Problem

router = APIRouter(tags=["leads"])
SCOPE = "leads:write"
ATTEMPTS = 3  # SQLite answers "database is locked" to the loser of two simultaneous writes


class LeadForm(LeadIn):
    """The website's "request this part" form: name, phone (E.164; UAE 05x accepted), vehicle,
    part or sku, message. At least one of part, sku or message."""

    @validator("phone")
    def _phone(cls, value: str) -> str:  # noqa: N805 - pydantic validator
        try:
            return to_e164(value)
        except PhoneError as exc:
            raise ValueError(str(exc)) from exc

    @validator("name", "make", "model", "vin", "part", "sku", "message")
    def _tidy(cls, value: str | None) -> str | None:  # noqa: N805
        if value is None:
            return None
        return " ".join(value.split()) or None

    @root_validator(skip_on_failure=True)
    def _something_to_quote(cls, values: dict) -> dict:  # noqa: N805
        if not values.get("name"):
            raise ValueError("name: the customer's name is empty")
        if not (values.get("part") or values.get("sku") or values.get("message")):
            raise ValueError("give part, sku or message: what does the customer need?")
        return values


@router.post(
    "/leads",
    status_code=201,
    response_model=LeadOut,
    summary="Record a part request from the website",
    responses={
        200: {"model": LeadOut, "description": "Replay: this Idempotency-Key already created this lead."},
        400: {"model": Problem},
        401: {"model": Problem},
        403: {"model": Problem},
        422: {"model": Problem},
        429: {"model": Problem},
    },  # fmt: skip
)
def create_lead(
    request: Request,
    form: LeadForm,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="Required. A new random value (UUID) per form submission; send the same one on retry.",
    ),  # fmt: skip
    client: Client = Depends(lead_limit),
) -> Response:
    """Create a `website` lead (customer name, phone, vehicle, part or sku, message).

    The answer is `201` with the lead; a retry with the same `Idempotency-Key` and body gets `200`
    and the same lead.
    """
    state = api_state(request)
    _authorise(client, state.settings.leads_open)
    key = (idempotency_key or "").strip()
    if not key:
        raise ApiProblem(
            400,
            "the Idempotency-Key header is required: send a new UUID per form submission",
            errors=[{"field": "Idempotency-Key", "in": "header", "message": "missing"}],
        )
    body = form.dict()
    print_ = fingerprint(body)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with state.sessions() as session:
                source = f"api:{client.owner}:{key}"
                lead, replayed = record_lead_once(session, source, print_, _draft(session, form, client, key))
                out = _lead_out(lead, form)
                session.commit()
            break
        except IdempotencyConflict as exc:
            error = {"field": "Idempotency-Key", "in": "header", "message": str(exc)}
            raise ApiProblem(422, f"Idempotency-Key: {exc}", errors=[error]) from exc
        except LeadError as exc:
            raise ApiProblem(422, str(exc)) from exc
        except OperationalError:
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return json_response(request, out, status=200 if replayed else 201, headers=headers)


def _authorise(client: Client, leads_open: bool) -> None:
    if client.key is not None and not client.key.allows(SCOPE):
        raise ApiProblem(403, f"this API key does not have the {SCOPE} scope")
    if client.key is None and not leads_open:
        raise ApiProblem(
            401,
            f"an API key with the {SCOPE} scope is required (X-API-Key header)",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )


def _draft(session, form: LeadForm, client: Client, key: str) -> LeadDraft:  # noqa: ANN001 - Session
    """The same kind of lead the assistant records, with kind ``website``. The customer is keyed
    by the phone's digits, like a WhatsApp id, so one person's chat and web requests meet."""
    channel_id = form.phone.lstrip("+")
    get_or_create_customer(session, channel_id, name=form.name, phone=form.phone)
    part = None
    if form.sku:
        part = session.execute(
            select(Part.id, Part.sku, Part.name, Part.price_aed).where(Part.sku == form.sku)
        ).first()
    details = {"source": "api", "phone": form.phone, "message": form.message}
    if client.key is not None:
        details["api_key"] = client.key.key_id
    if form.sku and part is None:
        details["unknown_sku"] = form.sku
    return LeadDraft(
        channel_user_id=channel_id,
        conversation_id=f"api:{client.owner}:{key}"[:128],
        kind="website",
        customer_name=form.name,
        make=form.make,
        model=form.model,
        year=form.year,
        vin=form.vin,
        part_query=form.part or (part.name if part else None),
        part_id=part.id if part else None,
        sku=part.sku if part else form.sku,
        price_aed=part.price_aed if part else None,
        details={k: v for k, v in details.items() if v is not None},
    )


def _lead_out(lead: Lead, form: LeadForm) -> dict:
    return {
        "id": lead.id,
        "status": lead.status,
        "kind": lead.kind,
        "created_at": iso_utc(lead.created_at),
        "sku": lead.sku,
        "part": lead.part_query,
    }


__all__ = ["LeadForm", "router"]
